#pragma once
// /robustness of a result file: per objective, each policy's regret summary and rankings, the
// satisficing shares and the pairwise dominance matrix, with binomial intervals
// (docs/file-format.md, "Robustness").

#include "chiprace/io/result_layout.hpp"
#include "chiprace/stats/column_summary.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chiprace::io {

struct RobustnessResult {
    std::vector<stats::ColumnSummary> regret; // per policy (variant)
    /// stats::robustness_counts's layout: satisficing (T·P), wins (P·P), best (P).
    std::vector<std::uint64_t> counts;
};

/// Writes /robustness/policy (a dimension scale of policy names) and /robustness/<objective>
/// for every objective of layout.robustness, results in the same order; `samples` is every
/// sample run (the denominator of the shares).
void write_robustness(const std::string& path, const ResultLayout& layout,
                      const std::vector<RobustnessResult>& results, std::uint64_t samples);

/// Competition ranks (1 = smallest value; equal values share the smaller rank; NaN last).
[[nodiscard]] std::vector<std::int64_t> ranks_ascending(const std::vector<double>& values);

} // namespace chiprace::io
