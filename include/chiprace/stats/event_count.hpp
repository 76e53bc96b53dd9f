#pragma once
// Event probabilities in the summaries: how many samples of a column meet "value <op>
// threshold", and the binomial interval of the share. Counts are integers, so they merge by
// addition in any order and a run's result does not depend on how it was cut.

#include <cstdint>
#include <span>
#include <string>

namespace chiprace::stats {

enum class Comparison { less, less_equal, greater, greater_equal };

/// "<", "<=", ">", ">=".
[[nodiscard]] const char* comparison_symbol(Comparison c);

/// Values meeting the event. NaN never does (every IEEE comparison with NaN is false); ±inf
/// compare as the infinities they are.
[[nodiscard]] std::uint64_t count_meeting(std::span<const double> values, Comparison c,
                                          double threshold);

struct ProportionInterval {
    double low = 0.0, high = 0.0;
};

/// The Wilson score interval (Wilson 1927) of the share k / n at the two-sided z: inside
/// [0, 1] and not degenerate at k = 0 or k = n, unlike the Wald interval. NaN for n = 0.
[[nodiscard]] ProportionInterval wilson_interval(std::uint64_t k, std::uint64_t n, double z);

} // namespace chiprace::stats
