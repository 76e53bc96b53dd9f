#include "chiprace/stats/regret.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace chiprace::stats {

namespace {

/// Best value of future i over the policies; NaN when any policy's value is NaN.
double best_of(std::span<const double> values, std::size_t policies, std::size_t n, std::size_t i,
               Direction direction) {
    double best = direction == Direction::higher ? -std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::infinity();
    for (std::size_t v = 0; v < policies; ++v) {
        const double x = values[v * n + i];
        if (std::isnan(x))
            return x;
        best = direction == Direction::higher ? (x > best ? x : best) : (x < best ? x : best);
    }
    return best;
}

std::size_t rows_of(std::span<const double> values, std::size_t policies) {
    if (policies == 0 || values.size() % policies != 0)
        throw std::invalid_argument("robustness: values must hold every policy's column");
    return values.size() / policies;
}

} // namespace

void regret_of(std::span<const double> values, std::size_t policies, Direction direction,
               std::span<double> regret) {
    const std::size_t n = rows_of(values, policies);
    if (regret.size() != values.size())
        throw std::invalid_argument("regret_of: one regret per value");
    for (std::size_t i = 0; i < n; ++i) {
        const double best = best_of(values, policies, n, i, direction);
        for (std::size_t v = 0; v < policies; ++v) {
            const double x = values[v * n + i];
            // x == best also where both are the same infinity (inf − inf would be NaN): the
            // best policy's regret is 0 by definition.
            regret[v * n + i] = std::isnan(best)                 ? best
                                : x == best                      ? 0.0
                                : direction == Direction::higher ? best - x
                                                                 : x - best;
        }
    }
}

void robustness_counts(std::span<const double> values, std::size_t policies, Direction direction,
                       std::span<const double> thresholds, std::span<std::uint64_t> counts) {
    const std::size_t n = rows_of(values, policies);
    const std::size_t p = policies, t_count = thresholds.size();
    if (counts.size() != robustness_count_size(p, t_count))
        throw std::invalid_argument("robustness_counts: wrong number of counts");
    const bool higher = direction == Direction::higher;
    auto satisficing = counts.first(t_count * p);
    auto wins = counts.subspan(t_count * p, p * p);
    auto best = counts.subspan(t_count * p + p * p, p);
    for (std::size_t t = 0; t < t_count; ++t)
        for (std::size_t v = 0; v < p; ++v) {
            const auto column = values.subspan(v * n, n);
            const double threshold = thresholds[t];
            std::uint64_t k = 0;
            for (const double x : column)
                k += higher ? (x >= threshold ? 1 : 0) : (x <= threshold ? 1 : 0);
            satisficing[t * p + v] += k;
        }
    for (std::size_t a = 0; a < p; ++a)
        for (std::size_t b = a + 1; b < p; ++b) {
            const auto xa = values.subspan(a * n, n), xb = values.subspan(b * n, n);
            std::uint64_t a_better = 0, b_better = 0;
            for (std::size_t i = 0; i < n; ++i) {
                // Comparisons with NaN are false: a NaN future counts for neither.
                a_better += higher ? (xa[i] > xb[i] ? 1 : 0) : (xa[i] < xb[i] ? 1 : 0);
                b_better += higher ? (xb[i] > xa[i] ? 1 : 0) : (xb[i] < xa[i] ? 1 : 0);
            }
            wins[a * p + b] += a_better;
            wins[b * p + a] += b_better;
        }
    for (std::size_t i = 0; i < n; ++i) {
        const double top = best_of(values, p, n, i, direction);
        if (std::isnan(top))
            continue;
        for (std::size_t v = 0; v < p; ++v)
            best[v] += values[v * n + i] == top ? 1 : 0;
    }
}

} // namespace chiprace::stats
