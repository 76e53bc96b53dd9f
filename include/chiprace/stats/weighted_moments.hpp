#pragma once
// Weighted count, mean, sum of squared deviations, min and max of the finite values of one
// column, each value with its importance weight (calibration: docs/calibration.md). Values of
// weight 0 are left out altogether. Mergeable as RunningMoments, with the weights' sums in place
// of the counts (West 1979's weighted form of Chan, Golub & LeVeque).
//
// With every weight 1 each operation is the one RunningMoments does on the same values, in the
// same order, so the result has the same bits: a calibration without targets reproduces the
// prior summaries exactly. Callers merge in a fixed order (dyadic_reduction.hpp).

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

namespace chiprace::stats {

struct WeightedMoments {
    std::uint64_t count = 0;      // finite values of positive weight
    std::uint64_t non_finite = 0; // non-finite values of positive weight
    double sum_w = 0.0;           // Σ w over the finite values (V1)
    double sum_w2 = 0.0;          // Σ w² (V2)
    double mean = 0.0;            // Σ w x / Σ w
    double m2 = 0.0;              // Σ w (x − mean)²
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    static constexpr std::size_t serialized_size = 8;

    /// Two passes over one block, in RunningMoments::of's lanes and order.
    static WeightedMoments of(std::span<const double> x, std::span<const double> w) {
        constexpr std::size_t lanes = 8;
        constexpr double inf = std::numeric_limits<double>::infinity();
        constexpr double largest = std::numeric_limits<double>::max();
        double sum[lanes] = {}, weight[lanes] = {}, weight2[lanes] = {}, lo[lanes], hi[lanes];
        std::uint64_t finite[lanes] = {}, weighted[lanes] = {};
        for (std::size_t j = 0; j < lanes; ++j) {
            lo[j] = inf;
            hi[j] = -inf;
        }
        const std::size_t n = x.size(), whole = n - n % lanes;
        auto visit = [&](std::size_t j, double v, double wv) {
            const bool counted = wv > 0.0;
            const bool ok = counted && std::fabs(v) <= largest;
            weighted[j] += counted ? 1 : 0;
            finite[j] += ok ? 1 : 0;
            const double wo = ok ? wv : 0.0;
            weight[j] += wo;
            weight2[j] += wo * wo;
            sum[j] += ok ? wv * v : 0.0;
            const double low = ok ? v : inf, high = ok ? v : -inf;
            lo[j] = low < lo[j] ? low : lo[j];
            hi[j] = hi[j] < high ? high : hi[j];
        };
        for (std::size_t i = 0; i < whole; i += lanes)
            for (std::size_t j = 0; j < lanes; ++j)
                visit(j, x[i + j], w[i + j]);
        for (std::size_t i = whole; i < n; ++i)
            visit(i - whole, x[i], w[i]);
        WeightedMoments r;
        double total = 0.0;
        std::uint64_t counted = 0;
        for (std::size_t j = 0; j < lanes; ++j) {
            r.count += finite[j];
            counted += weighted[j];
            total += sum[j];
            r.sum_w += weight[j];
            r.sum_w2 += weight2[j];
            r.min = lo[j] < r.min ? lo[j] : r.min;
            r.max = r.max < hi[j] ? hi[j] : r.max;
        }
        r.non_finite = counted - r.count;
        if (r.count == 0)
            return r;
        r.mean = total / r.sum_w;
        double m2[lanes] = {};
        auto deviation = [&](std::size_t j, double v, double wv) {
            const bool ok = wv > 0.0 && std::fabs(v) <= largest;
            const double d = ok ? v - r.mean : 0.0;
            m2[j] += ok ? wv * (d * d) : 0.0;
        };
        for (std::size_t i = 0; i < whole; i += lanes)
            for (std::size_t j = 0; j < lanes; ++j)
                deviation(j, x[i + j], w[i + j]);
        for (std::size_t i = whole; i < n; ++i)
            deviation(i - whole, x[i], w[i]);
        for (std::size_t j = 0; j < lanes; ++j)
            r.m2 += m2[j];
        return r;
    }

    /// The same when every value is finite, given the block's weight sums (BlockWeights, in the
    /// same lanes) and the values' unweighted moments (their min and max, the weighted ones when
    /// every weight is positive): one multiply-add per value and pass, no conditionals.
    struct BlockWeights {
        double sum_w = 0.0, sum_w2 = 0.0;
        std::uint64_t n_positive = 0;
        bool all_positive = false;
        static BlockWeights of(std::span<const double> w) {
            constexpr std::size_t lanes = 8;
            double weight[lanes] = {}, weight2[lanes] = {};
            bool positive = true;
            const std::size_t n = w.size(), whole = n - n % lanes;
            for (std::size_t i = 0; i < whole; i += lanes)
                for (std::size_t j = 0; j < lanes; ++j) {
                    weight[j] += w[i + j];
                    weight2[j] += w[i + j] * w[i + j];
                }
            for (std::size_t i = whole; i < n; ++i) {
                weight[i - whole] += w[i];
                weight2[i - whole] += w[i] * w[i];
            }
            std::uint64_t n_positive = 0;
            for (const double v : w)
                n_positive += v > 0.0 ? 1 : 0;
            positive = n_positive == n;
            BlockWeights b;
            b.n_positive = n_positive;
            for (std::size_t j = 0; j < lanes; ++j) {
                b.sum_w += weight[j];
                b.sum_w2 += weight2[j];
            }
            b.all_positive = positive;
            return b;
        }
    };
    template <typename Unweighted>
    static WeightedMoments of(std::span<const double> x, std::span<const double> w,
                              const BlockWeights& block, const Unweighted& unweighted) {
        if (unweighted.non_finite != 0 || x.empty())
            return of(x, w);
        constexpr std::size_t lanes = 8;
        const std::size_t n = x.size(), whole = n - n % lanes;
        double sum[lanes] = {};
        for (std::size_t i = 0; i < whole; i += lanes)
            for (std::size_t j = 0; j < lanes; ++j)
                sum[j] += w[i + j] * x[i + j];
        for (std::size_t i = whole; i < n; ++i)
            sum[i - whole] += w[i] * x[i];
        WeightedMoments r;
        double total = 0.0;
        for (std::size_t j = 0; j < lanes; ++j)
            total += sum[j];
        r.count = block.n_positive;
        if (r.count == 0)
            return r;
        r.sum_w = block.sum_w;
        r.sum_w2 = block.sum_w2;
        if (block.all_positive) {
            r.min = unweighted.min;
            r.max = unweighted.max;
        } else {
            // The extremes of the values of positive weight, in the lanes of of().
            constexpr double inf = std::numeric_limits<double>::infinity();
            double lo[lanes], hi[lanes];
            for (std::size_t j = 0; j < lanes; ++j) {
                lo[j] = inf;
                hi[j] = -inf;
            }
            auto visit = [&](std::size_t j, double v, double wv) {
                const double low = wv > 0.0 ? v : inf, high = wv > 0.0 ? v : -inf;
                lo[j] = low < lo[j] ? low : lo[j];
                hi[j] = hi[j] < high ? high : hi[j];
            };
            for (std::size_t i = 0; i < whole; i += lanes)
                for (std::size_t j = 0; j < lanes; ++j)
                    visit(j, x[i + j], w[i + j]);
            for (std::size_t i = whole; i < n; ++i)
                visit(i - whole, x[i], w[i]);
            for (std::size_t j = 0; j < lanes; ++j) {
                r.min = lo[j] < r.min ? lo[j] : r.min;
                r.max = r.max < hi[j] ? hi[j] : r.max;
            }
        }
        r.mean = total / r.sum_w;
        double m2[lanes] = {};
        for (std::size_t i = 0; i < whole; i += lanes)
            for (std::size_t j = 0; j < lanes; ++j) {
                const double d = x[i + j] - r.mean;
                m2[j] += w[i + j] * (d * d);
            }
        for (std::size_t i = whole; i < n; ++i) {
            const double d = x[i] - r.mean;
            m2[i - whole] += w[i] * (d * d);
        }
        for (std::size_t j = 0; j < lanes; ++j)
            r.m2 += m2[j];
        return r;
    }

    /// this ← this ⊕ right, where right holds the samples after this one's.
    void merge(const WeightedMoments& right) {
        non_finite += right.non_finite;
        if (right.count == 0)
            return;
        if (count == 0) {
            const auto nf = non_finite;
            *this = right;
            non_finite = nf;
            return;
        }
        const double na = sum_w;
        const double nb = right.sum_w;
        const double n = na + nb;
        const double delta = right.mean - mean;
        mean += delta * (nb / n);
        m2 += right.m2 + delta * delta * (na * nb / n);
        count += right.count;
        sum_w = n;
        sum_w2 += right.sum_w2;
        min = right.min < min ? right.min : min; // std::min's choice, as RunningMoments
        max = max < right.max ? right.max : max;
    }

    /// Unbiased for reliability weights: m2 / (V1 − V2 / V1); the sample variance when every
    /// weight is 1. NaN when that denominator is not positive (fewer than two values, or one
    /// weight holding everything).
    [[nodiscard]] double variance() const {
        const double denominator = count > 1 ? sum_w - sum_w2 / sum_w : 0.0;
        return denominator > 0.0 ? m2 / denominator : std::numeric_limits<double>::quiet_NaN();
    }
    [[nodiscard]] double std_dev() const { return std::sqrt(variance()); }
};

} // namespace chiprace::stats
