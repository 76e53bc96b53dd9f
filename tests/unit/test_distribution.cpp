#include "chiprace/random/counter_stream.hpp"
#include "chiprace/random/distribution.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <doctest/doctest.h>
#include <vector>

using namespace chiprace::random;

namespace {

const std::vector<double>& probe_levels() {
    static const std::vector<double> u{1e-12, 1e-6, 0.001, 0.01, 0.05, 0.1,  0.25,  0.4,
                                       0.5,   0.6,  0.75,  0.9,  0.95, 0.99, 0.999, 1 - 1e-6};
    return u;
}

template <class BoostDist>
void check_against_boost(const Distribution& d, const BoostDist& reference) {
    for (const double u : probe_levels()) {
        const double expected = boost::math::quantile(reference, u);
        const double got = d.quantile(u);
        INFO("u = " << u << ", " << d.describe());
        CHECK(got == doctest::Approx(expected).epsilon(1e-12));
    }
}

/// Mean and variance of N quantile-transformed stream uniforms within 4 standard errors of
/// the closed forms; SE of the variance from the sample's fourth central moment.
void check_moments(const Distribution& d) {
    const int n = 100000;
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i) {
        CounterStream s(2024, static_cast<std::uint64_t>(i), StreamPurpose::sample_inputs);
        x[static_cast<std::size_t>(i)] = d.quantile(s.uniform_open01());
    }
    double mean = 0;
    for (const double v : x)
        mean += v;
    mean /= n;
    double m2 = 0, m4 = 0;
    for (const double v : x) {
        const double dv = (v - mean) * (v - mean);
        m2 += dv;
        m4 += dv * dv;
    }
    m2 /= n;
    m4 /= n;
    INFO(d.describe());
    CHECK(std::abs(mean - d.mean()) < 4.0 * std::sqrt(d.variance() / n));
    CHECK(std::abs(m2 - d.variance()) < 4.0 * std::sqrt((m4 - m2 * m2) / n));
}

} // namespace

TEST_CASE("quantiles agree with Boost.Math to 1e-12 relative") {
    check_against_boost(Distribution(Uniform{-3.0, 5.0}),
                        boost::math::uniform_distribution<>(-3.0, 5.0));
    check_against_boost(Distribution(Normal{2.0, 0.5}),
                        boost::math::normal_distribution<>(2.0, 0.5));
    const LogNormal ln{11.5, 16.0};
    check_against_boost(Distribution(ln),
                        boost::math::lognormal_distribution<>(ln.mu(), ln.sigma()));
    check_against_boost(Distribution(Triangular{1.5, 1.9, 2.3}),
                        boost::math::triangular_distribution<>(1.5, 1.9, 2.3));
    check_against_boost(Distribution(Triangular{0.0, 0.0, 1.0}),
                        boost::math::triangular_distribution<>(0.0, 0.0, 1.0));
    check_against_boost(Distribution(Beta{7.49, 40.28}),
                        boost::math::beta_distribution<>(7.49, 40.28));
    check_against_boost(Distribution(Beta{0.5, 0.5}), boost::math::beta_distribution<>(0.5, 0.5));
    CHECK(Distribution(Fixed{8.0}).quantile(0.3) == 8.0);
}

TEST_CASE("lognormal(p05, p95) puts its 5th and 95th percentiles where it says") {
    const Distribution d(LogNormal{1.1, 1.7});
    CHECK(d.quantile(0.05) == doctest::Approx(1.1).epsilon(1e-13));
    CHECK(d.quantile(0.95) == doctest::Approx(1.7).epsilon(1e-13));
}

TEST_CASE("block quantiles equal one-at-a-time quantiles") {
    const std::vector<double> u{0.1, 0.2, 0.7};
    for (const Distribution d : {Distribution(Uniform{0, 2}), Distribution(Beta{2, 3}),
                                 Distribution(Fixed{4}), Distribution(Normal{0, 1})}) {
        std::vector<double> out(3);
        d.quantiles(u, out);
        for (std::size_t i = 0; i < 3; ++i)
            CHECK(out[i] == d.quantile(u[i]));
    }
}

TEST_CASE("sampled moments match closed forms within 4 standard errors") {
    check_moments(Distribution(Uniform{-3.14, 3.14}));
    check_moments(Distribution(Normal{1.0, 2.0}));
    check_moments(Distribution(LogNormal{0.6, 1.5}));
    check_moments(Distribution(Triangular{3, 5, 6}));
    check_moments(Distribution(Beta{4.31, 1.69}));
}

TEST_CASE("invalid parameters are explained, naming the parameter") {
    auto reason = [](Distribution::Variant v) {
        return Distribution(v).invalid_reason().value_or("");
    };
    CHECK(reason(Uniform{1, 1}).find("low must be less than high") != std::string::npos);
    CHECK(reason(Normal{0, 0}).find("sd must be a positive") != std::string::npos);
    CHECK(reason(Normal{0, -1}).find("sd") != std::string::npos);
    CHECK(reason(LogNormal{0, 1}).find("p05 must be a positive") != std::string::npos);
    CHECK(reason(LogNormal{2, 1}).find("p95 must be greater than p05") != std::string::npos);
    CHECK(reason(Triangular{0, 2, 1}).find("mode must lie") != std::string::npos);
    CHECK(reason(Beta{0, 1}).find("alpha") != std::string::npos);
    CHECK(reason(Beta{1, -2}).find("beta must be") != std::string::npos);
    CHECK(reason(Fixed{NAN}).find("finite") != std::string::npos);
    CHECK_FALSE(Distribution(Beta{7.49, 40.28}).invalid_reason().has_value());
}

TEST_CASE("descriptions name the distribution and its parameters") {
    CHECK(Distribution(LogNormal{11.5, 16}).describe() == "lognormal(p05=11.5, p95=16)");
    CHECK(Distribution(Beta{7.49, 40.28}).describe() == "beta(alpha=7.49, beta=40.28)");
}
