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

    /// Two passes over one block: more accurate than Welford's one-pass update, and the
    /// loops vectorise.
    static RunningMoments of(std::span<const double> x) {
        RunningMoments r;
        double sum = 0.0;
        for (const double v : x) {
            if (std::isfinite(v)) {
                ++r.count;
                sum += v;
                r.min = std::min(r.min, v);
                r.max = std::max(r.max, v);
            }
        }
        r.non_finite = x.size() - r.count;
        if (r.count == 0)
            return r;
        r.mean = sum / static_cast<double>(r.count);
        double m2 = 0.0;
        for (const double v : x)
            if (std::isfinite(v))
                m2 += (v - r.mean) * (v - r.mean);
        r.m2 = m2;
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
