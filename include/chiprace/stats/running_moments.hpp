#pragma once
// Count, mean, sum of squared deviations, min and max of the finite values of one column,
// mergeable by Chan, Golub & LeVeque (1979). Non-finite values are counted, never mixed in.
//
// Merging floating-point moments is not associative, so callers merge in a fixed order
// (see dyadic_reduction.hpp) to get the same bits for any cut of the run.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

namespace chiprace::stats {

struct RunningMoments {
    std::uint64_t count = 0;      // finite values
    std::uint64_t non_finite = 0; // NaN or ±inf, excluded from everything else
    double mean = 0.0;
    double m2 = 0.0; // Σ (x − mean)²
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    /// Two passes over one block: more accurate than Welford's one-pass update. Each pass keeps
    /// `lanes` partial sums, combined in a fixed order at the end: one running sum would be a
    /// chain of dependent additions the compiler may not reorder, while independent lanes fill
    /// the vector units. The order depends only on the block, never on the cut of the run.
    static RunningMoments of(std::span<const double> x) {
        constexpr std::size_t lanes = 8;
        constexpr double inf = std::numeric_limits<double>::infinity();
        constexpr double largest = std::numeric_limits<double>::max();
        double sum[lanes] = {}, lo[lanes], hi[lanes];
        std::uint64_t finite[lanes] = {};
        for (std::size_t j = 0; j < lanes; ++j) {
            lo[j] = inf;
            hi[j] = -inf;
        }
        const std::size_t n = x.size(), whole = n - n % lanes;
        auto visit = [&](std::size_t j, double v) {
            const bool ok = std::fabs(v) <= largest; // false for NaN and ±inf
            finite[j] += ok ? 1 : 0;
            sum[j] += ok ? v : 0.0;
            // std::min and std::max spelled out: their references kept lo and hi in memory,
            // updated by masked stores and branches on every vector of values.
            const double low = ok ? v : inf, high = ok ? v : -inf;
            lo[j] = low < lo[j] ? low : lo[j];
            hi[j] = hi[j] < high ? high : hi[j];
        };
        for (std::size_t i = 0; i < whole; i += lanes)
            for (std::size_t j = 0; j < lanes; ++j)
                visit(j, x[i + j]);
        for (std::size_t i = whole; i < n; ++i)
            visit(i - whole, x[i]);
        RunningMoments r;
        double total = 0.0;
        for (std::size_t j = 0; j < lanes; ++j) {
            r.count += finite[j];
            total += sum[j];
            r.min = std::min(r.min, lo[j]);
            r.max = std::max(r.max, hi[j]);
        }
        r.non_finite = n - r.count;
        if (r.count == 0)
            return r;
        r.mean = total / static_cast<double>(r.count);
        double m2[lanes] = {};
        auto deviation = [&](std::size_t j, double v) {
            const double d = std::fabs(v) <= largest ? v - r.mean : 0.0;
            m2[j] += d * d;
        };
        for (std::size_t i = 0; i < whole; i += lanes)
            for (std::size_t j = 0; j < lanes; ++j)
                deviation(j, x[i + j]);
        for (std::size_t i = whole; i < n; ++i)
            deviation(i - whole, x[i]);
        for (std::size_t j = 0; j < lanes; ++j)
            r.m2 += m2[j];
        return r;
    }

    /// this ← this ⊕ right, where right holds the samples after this one's.
    void merge(const RunningMoments& right) {
        non_finite += right.non_finite;
        if (right.count == 0)
            return;
        if (count == 0) {
            const auto nf = non_finite;
            *this = right;
            non_finite = nf;
            return;
        }
        const double na = static_cast<double>(count);
        const double nb = static_cast<double>(right.count);
        const double n = na + nb;
        const double delta = right.mean - mean;
        mean += delta * (nb / n);
        m2 += right.m2 + delta * delta * (na * nb / n);
        count += right.count;
        min = std::min(min, right.min);
        max = std::max(max, right.max);
    }

    /// Sample variance (n − 1 denominator); NaN below two values.
    [[nodiscard]] double variance() const {
        return count > 1 ? m2 / static_cast<double>(count - 1)
                         : std::numeric_limits<double>::quiet_NaN();
    }
    [[nodiscard]] double std_dev() const { return std::sqrt(variance()); }
};

} // namespace chiprace::stats
