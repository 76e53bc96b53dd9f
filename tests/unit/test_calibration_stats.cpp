// The statistics of calibration (issue 18): observation likelihoods by hand.
#include "chiprace/stats/observation.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <limits>

using chiprace::stats::Observation;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

} // namespace

TEST_CASE("a normal observation: -z^2/2, 0 at the observed mean") {
    const Observation o{Observation::Kind::normal, 1.25, 0.5};
    CHECK(o.log_likelihood(1.25) == 0.0);
    CHECK(o.log_likelihood(1.75) == -0.5); // z = 1
    CHECK(o.log_likelihood(0.25) == -2.0); // z = -2
    CHECK(o.log_likelihood(2.75) == -4.5); // z = 3
    CHECK(o.log_likelihood(inf) == -inf);  // a value that is not finite is impossible
    CHECK(o.log_likelihood(-inf) == -inf);
    CHECK(o.log_likelihood(nan) == -inf);
    CHECK(std::exp(o.log_likelihood(1.75)) == doctest::Approx(0.6065306597126334));
}

TEST_CASE("a lognormal observation by p05 and p95: 0 at the median sqrt(p05 p95)") {
    // p05 = 0.5, p95 = 2: ln y ~ N(0, sigma^2), sigma = ln 4 / (2 z95) = 0.42140...
    const Observation o{Observation::Kind::lognormal, 0.5, 2.0};
    CHECK(o.log_likelihood(1.0) == 0.0);
    // At either percentile z = +-z95: log L = -z95^2 / 2 = -1.3527717...
    const double at_percentile = -0.5 * Observation::z95 * Observation::z95;
    CHECK(at_percentile == doctest::Approx(-1.35277172));
    CHECK(o.log_likelihood(2.0) == doctest::Approx(at_percentile).epsilon(1e-14));
    CHECK(o.log_likelihood(0.5) == doctest::Approx(at_percentile).epsilon(1e-14));
    // y = e: z = 1 / sigma = 2 z95 / ln 4.
    const double z = 2.0 * Observation::z95 / std::log(4.0);
    CHECK(o.log_likelihood(std::exp(1.0)) == doctest::Approx(-0.5 * z * z).epsilon(1e-14));
    // Symmetric in ln y about the median.
    CHECK(o.log_likelihood(4.0) == doctest::Approx(o.log_likelihood(0.25)).epsilon(1e-14));
    CHECK(o.log_likelihood(0.0) == -inf);
    CHECK(o.log_likelihood(-1.0) == -inf);
    CHECK(o.log_likelihood(nan) == -inf);
    CHECK(o.log_likelihood(inf) == -inf);

    // An asymmetric pair: median sqrt(1 * 9) = 3, sigma = ln 9 / (2 z95).
    const Observation wide{Observation::Kind::lognormal, 1.0, 9.0};
    CHECK(wide.log_likelihood(3.0) == doctest::Approx(0.0).epsilon(1e-15));
    CHECK(wide.log_likelihood(9.0) == doctest::Approx(at_percentile).epsilon(1e-14));
    CHECK(wide.log_likelihood(1.0) == doctest::Approx(at_percentile).epsilon(1e-14));
}

TEST_CASE(
    "an interval observation: 0 inside (bounds included), -(distance/tolerance)^2/2 outside") {
    const Observation o{Observation::Kind::interval, 1.0, 3.0, 0.5};
    CHECK(o.log_likelihood(1.0) == 0.0);
    CHECK(o.log_likelihood(2.0) == 0.0);
    CHECK(o.log_likelihood(3.0) == 0.0);
    CHECK(o.log_likelihood(3.5) == -0.5); // 0.5 above: z = 1
    CHECK(o.log_likelihood(0.0) == -2.0); // 1 below: z = 2
    CHECK(o.log_likelihood(4.5) == -4.5); // 1.5 above: z = 3
    CHECK(o.log_likelihood(nan) == -inf);
    CHECK(o.log_likelihood(inf) == -inf);

    // Tolerance 0: rejection, a weight of exactly 1 inside and 0 outside.
    const Observation hard{Observation::Kind::interval, -0.5, 1.5, 0.0};
    CHECK(hard.log_likelihood(-0.5) == 0.0);
    CHECK(hard.log_likelihood(1.5) == 0.0);
    CHECK(hard.log_likelihood(std::nextafter(1.5, inf)) == -inf);
    CHECK(hard.log_likelihood(std::nextafter(-0.5, -inf)) == -inf);
    CHECK(std::exp(hard.log_likelihood(0.0)) == 1.0);
    CHECK(std::exp(hard.log_likelihood(2.0)) == 0.0);

    // A point (low = high) with a tolerance is a normal observation of sd = tolerance.
    const Observation point{Observation::Kind::interval, 2.0, 2.0, 0.25};
    const Observation normal{Observation::Kind::normal, 2.0, 0.25};
    for (const double y : {1.0, 1.9, 2.0, 2.3, 5.0})
        CHECK(point.log_likelihood(y) == doctest::Approx(normal.log_likelihood(y)).epsilon(1e-15));
}

TEST_CASE("observation kinds have the names the file records") {
    CHECK(Observation::name(Observation::Kind::normal) == "normal");
    CHECK(Observation::name(Observation::Kind::lognormal) == "lognormal");
    CHECK(Observation::name(Observation::Kind::interval) == "interval");
}
