// The statistics of calibration (issue 18): observation likelihoods by hand, the weights and
// their sums, weighted moments and weighted quantiles (with every weight 1, the prior's bits).
#include "chiprace/random/counter_stream.hpp"
#include "chiprace/stats/calibration_weights.hpp"
#include "chiprace/stats/column_summary.hpp"
#include "chiprace/stats/dyadic_reduction.hpp"
#include "chiprace/stats/log_histogram.hpp"
#include "chiprace/stats/observation.hpp"
#include "chiprace/stats/running_moments.hpp"
#include "chiprace/stats/weighted_moments.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <doctest/doctest.h>
#include <limits>
#include <vector>

using namespace chiprace::stats;

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t one_unit = static_cast<std::uint64_t>(weight_units_per_one);

std::uint64_t bits(double x) {
    return std::bit_cast<std::uint64_t>(x);
}

/// Values of both signs with a long right tail, and weights in (0, 1] with some exactly 0.
std::vector<double> values(std::size_t n, std::uint64_t seed) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        chiprace::random::CounterStream s(seed, i, chiprace::random::StreamPurpose::sample_inputs);
        x[i] = std::exp(3.0 * (s.uniform_open01() - 0.3)) - 1.0;
    }
    return x;
}

std::vector<double> weights(std::size_t n, std::uint64_t seed) {
    auto w = values(n, seed);
    for (std::size_t i = 0; i < n; ++i)
        w[i] = i % 17 == 3 ? 0.0 : std::exp(-0.5 * w[i] * w[i]);
    return w;
}

bool same_bits(const WeightedMoments& a, const WeightedMoments& b) {
    return a.count == b.count && a.non_finite == b.non_finite && bits(a.sum_w) == bits(b.sum_w) &&
           bits(a.sum_w2) == bits(b.sum_w2) && bits(a.mean) == bits(b.mean) &&
           bits(a.m2) == bits(b.m2) && bits(a.min) == bits(b.min) && bits(a.max) == bits(b.max);
}

bool same_bits(const WeightedMoments& w, const RunningMoments& r) {
    return w.count == r.count && w.non_finite == r.non_finite && bits(w.mean) == bits(r.mean) &&
           bits(w.m2) == bits(r.m2) && bits(w.min) == bits(r.min) && bits(w.max) == bits(r.max);
}

/// Σ w x / Σ w and Σ w (x − mean)² over the finite values of positive weight, in long double.
std::pair<long double, long double> direct(const std::vector<double>& x,
                                           const std::vector<double>& w) {
    long double sw = 0, swx = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (w[i] > 0 && std::isfinite(x[i])) {
            sw += w[i];
            swx += static_cast<long double>(w[i]) * x[i];
        }
    const long double mean = swx / sw;
    long double m2 = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (w[i] > 0 && std::isfinite(x[i]))
            m2 += w[i] * (x[i] - mean) * (x[i] - mean);
    return {mean, m2};
}

struct Weighted1 {
    WeightedMoments m;
    void merge(const Weighted1& r) { m.merge(r.m); }
};

/// Reduces the blocks of (x, w), cut into `workers` contiguous shares as ranks would.
WeightedMoments reduce_cut(const std::vector<double>& x, const std::vector<double>& w,
                           std::size_t block, int workers) {
    const std::uint64_t blocks = (x.size() + block - 1) / block;
    DyadicReduction<Weighted1> total;
    for (int k = 0; k < workers; ++k) {
        const std::uint64_t first = blocks * k / workers, end = blocks * (k + 1) / workers;
        DyadicReduction<Weighted1> mine;
        for (std::uint64_t b = first; b < end; ++b) {
            const std::size_t start = b * block, n = std::min(block, x.size() - start);
            mine.push_block(b, {WeightedMoments::of(std::span(x).subspan(start, n),
                                                    std::span(w).subspan(start, n))});
        }
        for (auto& piece : mine.pieces())
            total.push(std::move(piece));
    }
    return std::move(total).finish()->m;
}

std::vector<std::uint64_t> units_of(const std::vector<double>& w) {
    std::vector<std::uint64_t> u(w.size());
    for (std::size_t i = 0; i < w.size(); ++i)
        u[i] = static_cast<std::uint64_t>(std::floor(w[i] * weight_units_per_one + 0.5));
    return u;
}

} // namespace

TEST_CASE("a normal observation: -z^2/2, 0 at the observed mean") {
    const Observation o{Observation::Kind::normal, 1.25, 0.5};
    CHECK(o.log_likelihood(1.25) == 0.0);
    CHECK(o.log_likelihood(1.75) == -0.5);          // z = 1
    CHECK(o.log_likelihood(0.25) == -2.0);          // z = -2
    CHECK(o.log_likelihood(2.75) == -4.5);          // z = 3
    CHECK(o.log_likelihood(infinity) == -infinity); // a value that is not finite is impossible
    CHECK(o.log_likelihood(-infinity) == -infinity);
    CHECK(o.log_likelihood(not_a_number) == -infinity);
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
    CHECK(o.log_likelihood(0.0) == -infinity);
    CHECK(o.log_likelihood(-1.0) == -infinity);
    CHECK(o.log_likelihood(not_a_number) == -infinity);
    CHECK(o.log_likelihood(infinity) == -infinity);

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
    CHECK(o.log_likelihood(not_a_number) == -infinity);
    CHECK(o.log_likelihood(infinity) == -infinity);

    // Tolerance 0: rejection, a weight of exactly 1 inside and 0 outside.
    const Observation hard{Observation::Kind::interval, -0.5, 1.5, 0.0};
    CHECK(hard.log_likelihood(-0.5) == 0.0);
    CHECK(hard.log_likelihood(1.5) == 0.0);
    CHECK(hard.log_likelihood(std::nextafter(1.5, infinity)) == -infinity);
    CHECK(hard.log_likelihood(std::nextafter(-0.5, -infinity)) == -infinity);
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

// ---- weights and their sums ------------------------------------------------------------------

TEST_CASE("calibration weights: the product of the targets' likelihoods, with their sums") {
    const std::vector<Observation> targets{
        {Observation::Kind::normal, 1.0, 0.5},
        {Observation::Kind::interval, 0.0, 10.0, 0.0},
    };
    // Sample 0: z = 1 and inside; 1: z = 0, inside; 2: outside the interval (weight 0);
    // 3: not finite in the first target (weight 0); 4: z = -2, inside.
    const std::vector<double> first{1.5, 1.0, 1.0, not_a_number, 0.0};
    const std::vector<double> second{5.0, 0.0, 10.5, 1.0, 3.0};
    const std::vector<std::span<const double>> columns{first, second};
    std::vector<double> w(5);
    std::vector<std::uint64_t> u(5);
    const auto sums = calibration_weights(targets, columns, w, u);
    CHECK(w[0] == std::exp(-0.5));
    CHECK(w[1] == 1.0);
    CHECK(w[2] == 0.0);
    CHECK(w[3] == 0.0);
    CHECK(w[4] == std::exp(-2.0));
    CHECK(u[1] == one_unit);
    CHECK(u[2] == 0);
    CHECK(u[0] ==
          static_cast<std::uint64_t>(std::floor(std::exp(-0.5) * weight_units_per_one + 0.5)));
    CHECK(sums.n_positive == 3);
    CHECK(sums.max_w == 1.0);
    const double sw = std::exp(-0.5) + 1.0 + std::exp(-2.0);
    const double sw2 = std::exp(-1.0) + 1.0 + std::exp(-4.0);
    CHECK(sums.sum_w == doctest::Approx(sw).epsilon(1e-15));
    CHECK(sums.sum_w2 == doctest::Approx(sw2).epsilon(1e-15));
    CHECK(sums.ess() == doctest::Approx(sw * sw / sw2).epsilon(1e-15));
    // Each target alone: the normal one's likelihoods (NaN: 0), the interval's 1, 1, 0, 1, 1.
    const double t0 = std::exp(-0.5) + 1.0 + 1.0 + 0.0 + std::exp(-2.0);
    const double t0_2 = std::exp(-1.0) + 1.0 + 1.0 + 0.0 + std::exp(-4.0);
    CHECK(sums.target_ess(0) == doctest::Approx(t0 * t0 / t0_2).epsilon(1e-15));
    CHECK(sums.target_ess(1) == 4.0);

    // Serialized and merged: the sums of the concatenation.
    std::vector<double> flat;
    sums.serialize(flat);
    std::size_t pos = 0;
    auto copy = CalibrationSums::deserialize(flat, pos);
    CHECK(pos == flat.size());
    copy.merge(sums);
    CHECK(copy.n_positive == 6);
    CHECK(copy.sum_w == 2.0 * sums.sum_w);
    CHECK(copy.target_sum_w2[1] == 8.0);
    CHECK(copy.ess() == doctest::Approx(2.0 * sums.ess()).epsilon(1e-15));
    CHECK_THROWS_AS(copy.merge(CalibrationSums(1)), std::logic_error);
}

TEST_CASE("calibration weights without targets: every weight exactly 1, the ESS N") {
    std::vector<double> w(1000);
    std::vector<std::uint64_t> u(1000);
    const auto sums = calibration_weights({}, {}, w, u);
    CHECK(std::all_of(w.begin(), w.end(), [](double x) { return x == 1.0; }));
    CHECK(std::all_of(u.begin(), u.end(), [](std::uint64_t x) { return x == one_unit; }));
    CHECK(sums.sum_w == 1000.0);
    CHECK(sums.sum_w2 == 1000.0);
    CHECK(sums.ess() == 1000.0);
    CHECK(sums.n_positive == 1000);
    CalibrationSums none;
    CHECK(none.ess() == 0.0); // every weight 0: no effective sample at all
}

// ---- weighted moments ------------------------------------------------------------------------

TEST_CASE("weighted moments of a known case by hand") {
    // x = 1, 2, 4 with w = 1, 1/2, 1/4: V1 = 7/4, V2 = 21/16, mean = 3 / (7/4) = 12/7,
    // m2 = (25 + 2 + 64) / 49 = 13/7, V1 - V2/V1 = 1: variance 13/7.
    const std::vector<double> x{1.0, 2.0, 4.0}, w{1.0, 0.5, 0.25};
    const auto m = WeightedMoments::of(x, w);
    CHECK(m.count == 3);
    CHECK(m.sum_w == 1.75);
    CHECK(m.sum_w2 == 1.3125);
    CHECK(m.mean == doctest::Approx(12.0 / 7.0).epsilon(1e-15));
    CHECK(m.m2 == doctest::Approx(13.0 / 7.0).epsilon(1e-15));
    CHECK(m.variance() == doctest::Approx(13.0 / 7.0).epsilon(1e-15));
    CHECK(m.min == 1.0);
    CHECK(m.max == 4.0);
}

TEST_CASE("weighted moments leave out weight 0, count non-finite values of positive weight") {
    const std::vector<double> x{1.0, 2.0, -50.0, not_a_number, infinity, 4.0, 100.0};
    const std::vector<double> w{1.0, 0.5, 0.0, 0.3, 0.0, 0.25, 0.0};
    const auto m = WeightedMoments::of(x, w);
    CHECK(m.count == 3);
    CHECK(m.non_finite == 1); // the NaN of weight 0.3; the infinity has weight 0
    CHECK(m.min == 1.0);      // -50 and 100 have weight 0
    CHECK(m.max == 4.0);
    CHECK(m.mean == doctest::Approx(12.0 / 7.0).epsilon(1e-15));
    CHECK(m.variance() == doctest::Approx(13.0 / 7.0).epsilon(1e-15));

    // One value, or all the weight on one value: no variance.
    const std::vector<double> one{3.0}, w1{0.5};
    CHECK(std::isnan(WeightedMoments::of(one, w1).variance()));
    const std::vector<double> two{3.0, 5.0}, w_two{0.0, 0.7};
    CHECK(std::isnan(WeightedMoments::of(two, w_two).variance()));
    const std::vector<double> zero_w{0.0, 0.0};
    const auto empty = WeightedMoments::of(two, zero_w);
    CHECK(empty.count == 0);
    CHECK(empty.non_finite == 0);
    CHECK(std::isnan(empty.variance()));
}

TEST_CASE("weighted moments with every weight 1 have RunningMoments' bits") {
    // Block sizes that are and are not multiples of the 8 lanes, non-finite values included.
    for (const std::size_t n : {1u, 7u, 8u, 1000u, 1003u}) {
        INFO("n = " << n);
        auto x = values(n, 3);
        if (n > 5) {
            x[2] = not_a_number;
            x[5] = -infinity;
        }
        const std::vector<double> ones(n, 1.0);
        const auto w = WeightedMoments::of(x, ones);
        const auto r = RunningMoments::of(x);
        CHECK(same_bits(w, r));
        CHECK(bits(w.std_dev()) == bits(r.std_dev()));
    }
    // And merged in the same order.
    const auto x = values(10007, 9);
    const std::vector<double> ones(x.size(), 1.0);
    auto w = WeightedMoments::of(std::span(x).first(3001), std::span(ones).first(3001));
    w.merge(WeightedMoments::of(std::span(x).subspan(3001), std::span(ones).subspan(3001)));
    auto r = RunningMoments::of(std::span(x).first(3001));
    r.merge(RunningMoments::of(std::span(x).subspan(3001)));
    CHECK(same_bits(w, r));
    CHECK(bits(w.std_dev()) == bits(r.std_dev()));
}

TEST_CASE("merged weighted moments equal one pass over the concatenation") {
    const auto x = values(10007, 11);
    const auto w = weights(x.size(), 12);
    auto left = WeightedMoments::of(std::span(x).first(4096), std::span(w).first(4096));
    const auto right = WeightedMoments::of(std::span(x).subspan(4096), std::span(w).subspan(4096));
    left.merge(right);
    const auto whole = WeightedMoments::of(x, w);
    const auto [mean, m2] = direct(x, w);
    CHECK(left.count == whole.count);
    CHECK(left.count < x.size()); // some weights are 0
    CHECK(left.sum_w == doctest::Approx(whole.sum_w).epsilon(1e-14));
    CHECK(left.sum_w2 == doctest::Approx(whole.sum_w2).epsilon(1e-14));
    CHECK(left.mean == doctest::Approx(whole.mean).epsilon(1e-13));
    CHECK(left.m2 == doctest::Approx(whole.m2).epsilon(1e-12));
    CHECK(left.min == whole.min);
    CHECK(left.max == whole.max);
    CHECK(whole.mean == doctest::Approx(static_cast<double>(mean)).epsilon(1e-13));
    CHECK(whole.m2 == doctest::Approx(static_cast<double>(m2)).epsilon(1e-12));
    // Merging an empty piece changes nothing, on either side.
    auto copy = whole;
    copy.merge(WeightedMoments{});
    CHECK(same_bits(copy, whole));
    WeightedMoments first;
    first.merge(whole);
    CHECK(same_bits(first, whole));
}

TEST_CASE("weighted moments reduce to the same bits for any cut") {
    const auto x = values(100003, 4);
    const auto w = weights(x.size(), 5);
    const auto one = reduce_cut(x, w, 1000, 1);
    for (const int workers : {2, 3, 7, 64, 101}) {
        INFO("workers = " << workers);
        CHECK(same_bits(one, reduce_cut(x, w, 1000, workers)));
    }
}

// ---- weighted quantiles ----------------------------------------------------------------------

TEST_CASE("weighted quantiles with every weight 1 are the unweighted ones, bit for bit") {
    const std::vector<double> levels{0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0};
    for (const unsigned m : {8u, 4u, LogHistogram::exact_integers}) {
        INFO("mantissa bits " << m);
        auto x = values(20011, 21);
        if (m == LogHistogram::exact_integers)
            for (auto& v : x)
                v = std::floor(v * 100.0);
        x[10] = not_a_number; // non-finite values are in neither sketch
        const std::vector<std::uint64_t> units(x.size(), one_unit);
        LogHistogram plain(m), weighted(m);
        plain.add(x);
        weighted.add_weighted(x, units);
        const auto mom = RunningMoments::of(x);
        CHECK(weighted.count() == mom.count * one_unit);
        const auto a = plain.quantiles(levels, mom.min, mom.max);
        const auto b = weighted.weighted_quantiles(levels, mom.min, mom.max, mom.count);
        for (std::size_t j = 0; j < levels.size(); ++j)
            CHECK(bits(a[j]) == bits(b[j]));
        // And through the summaries: summarize_weighted of weights 1 is summarize.
        const std::vector<double> ones(x.size(), 1.0);
        const auto s = summarize(mom, plain, levels);
        const auto t = summarize_weighted(WeightedMoments::of(x, ones), weighted, levels);
        CHECK(bits(s.mean) == bits(t.mean));
        CHECK(bits(s.std_dev) == bits(t.std_dev));
        CHECK(s.n_finite == t.n_finite);
        CHECK(s.n_non_finite == t.n_non_finite);
        CHECK(s.quantiles == t.quantiles);
    }
}

TEST_CASE("weighted quantiles of a known case: the weight moves the median") {
    // Values 1, 2, 3, 4 with weights 1, 1, 1, 5 (n = 4, W = 8): the threshold of level q is
    // floor(q (n - 1)) W / n. q = 0.5: floor(1.5) = 1, threshold 2; the cumulative weight first
    // exceeds 2 at 3 (unweighted: at 2). q = 0: the first value; q = 1: threshold 6, reached at 4.
    // A value of weight 0 is left out.
    const std::vector<double> x{1.0, 2.0, 3.0, 4.0, 100.0};
    // (Weights are at most 1: units of one eighth.)
    const std::uint64_t e8 = one_unit / 8;
    const std::vector<std::uint64_t> u{e8, e8, e8, 5 * e8, 0};
    LogHistogram h(8);
    h.add_weighted(x, u);
    CHECK(h.count() == one_unit);
    const std::vector<double> levels{0.0, 0.2, 0.34, 0.5, 0.7, 1.0};
    const auto q = h.weighted_quantiles(levels, 1.0, 4.0, 4);
    const double e = h.relative_error_bound();
    CHECK(q[0] == doctest::Approx(1.0).epsilon(e)); // the first value's bucket
    CHECK(q[1] == doctest::Approx(1.0).epsilon(e)); // floor(0.6) = 0
    CHECK(q[2] == doctest::Approx(3.0).epsilon(e)); // floor(1.02) = 1: threshold 2
    CHECK(q[3] == doctest::Approx(3.0).epsilon(e));
    CHECK(q[4] == doctest::Approx(4.0).epsilon(e)); // floor(2.1) = 2: threshold 4
    CHECK(q[5] == 4.0); // the top bucket's midpoint is above 4: clamped to the max
    LogHistogram plain(8);
    plain.add(std::span(x).first(4));
    CHECK(plain.quantile(0.5, 1.0, 4.0) == doctest::Approx(2.0).epsilon(e));
    // No value of positive weight: NaN.
    LogHistogram none(8);
    CHECK(std::isnan(none.weighted_quantiles(levels, 1.0, 4.0, 0)[3]));
}

TEST_CASE("weights 0 and 1 (rejection): the quantiles of the accepted values") {
    const auto x = values(30000, 31);
    std::vector<double> accepted;
    std::vector<std::uint64_t> u(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const bool in = x[i] > -0.5 && x[i] < 2.0;
        u[i] = in ? one_unit : 0;
        if (in)
            accepted.push_back(x[i]);
    }
    LogHistogram weighted(8), plain(8);
    weighted.add_weighted(x, u);
    plain.add(accepted);
    const auto mom = RunningMoments::of(accepted);
    const std::vector<double> levels{0.05, 0.25, 0.5, 0.75, 0.95};
    CHECK(weighted.weighted_quantiles(levels, mom.min, mom.max, mom.count) ==
          plain.quantiles(levels, mom.min, mom.max));
}

TEST_CASE("weighted sketches merge to the same quantiles in any order") {
    const auto x = values(9001, 41);
    const auto u = units_of(weights(x.size(), 42));
    LogHistogram whole(8), a(8), b(8), c(8);
    whole.add_weighted(x, u);
    a.add_weighted(std::span(x).first(3000), std::span(u).first(3000));
    b.add_weighted(std::span(x).subspan(3000, 3000), std::span(u).subspan(3000, 3000));
    c.add_weighted(std::span(x).subspan(6000), std::span(u).subspan(6000));
    LogHistogram cba = c;
    cba.merge(b);
    cba.merge(a);
    a.merge(b);
    a.merge(c);
    CHECK(a.serialize() == whole.serialize());
    CHECK(cba.serialize() == whole.serialize());
    // Serialized and read back: the same counts.
    CHECK(LogHistogram::deserialize(whole.serialize()).serialize() == whole.serialize());
}
