#pragma once
// Robustness of policies across futures (docs/robustness.md): each policy's regret in a future
// and the integer counts behind satisficing and pairwise dominance, computed on one block of
// futures in which every policy met the same sampled inputs. Regret columns are summarised like
// any output (moments, quantile sketch); the counts merge by addition, so neither depends on
// how the run was cut.

#include <cstddef>
#include <cstdint>
#include <span>

namespace chiprace::stats {

/// Which way an objective is better.
enum class Direction { higher, lower };

/// The regret of each of P policies in each of n futures. values[v * n + i] is policy v's
/// value in future i; regret[v * n + i] = best_i − value (higher is better) or value − best_i
/// (lower is better), so regret ≥ 0 and the best policy's is 0. A future in which any policy's
/// value is NaN has no best: every policy's regret there is NaN (counted as non-finite).
void regret_of(std::span<const double> values, std::size_t policies, Direction direction,
               std::span<double> regret);

/// How many counts robustness_counts writes for P policies and T thresholds: T·P satisficing,
/// P·P dominance, P best.
[[nodiscard]] constexpr std::size_t robustness_count_size(std::size_t policies,
                                                          std::size_t thresholds) {
    return thresholds * policies + policies * policies + policies;
}

/// Adds one block's counts to `counts` (robustness_count_size entries), in this order:
///   satisficing[t * P + v]  futures where policy v meets threshold t (value ≥ threshold when
///                           higher is better, ≤ when lower is);
///   wins[a * P + b]         futures where policy a is strictly better than policy b (the
///                           diagonal stays 0); ties and NaN count for neither;
///   best[v]                 futures where policy v's value is the best (ties: every tied
///                           policy; a future with a NaN value has no best).
void robustness_counts(std::span<const double> values, std::size_t policies, Direction direction,
                       std::span<const double> thresholds, std::span<std::uint64_t> counts);

} // namespace chiprace::stats
