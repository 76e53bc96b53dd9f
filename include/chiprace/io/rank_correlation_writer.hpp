#pragma once
// Rank correlations in the result file (docs/file-format.md, "Rank correlations"):
// <group>/rank_correlations/<output>/{spearman, srrc, prcc} with shape (d) or (d, T_selected),
// n_used and n_dropped, the parameter names as the /parameter dimension scale and the analysed
// years as /rank_correlation_year.

#include "chiprace/io/result_layout.hpp"
#include "chiprace/stats/rank_correlation.hpp"

#include <span>
#include <string>
#include <vector>

namespace chiprace::io {

/// The estimates of one output of one group: one per analysed year, or one.
struct RankCorrelationTable {
    std::string group; // "" (root) or "policies/<p>"
    std::string output;
    std::string units; // the output's
    bool per_year = false;
    std::vector<stats::RankCorrelationEstimate> columns;
};

/// Writes tables into path (an existing result file, opened read-write), replacing every
/// earlier rank correlation result: every <group>/rank_correlations group and
/// /rank_correlation_year. /parameter is created when absent and reused when present, which
/// requires it to list inputs in the same order. years: the analysed years (per-year tables
/// have one column per entry). attributes go on each <group>/rank_correlations group.
void write_rank_correlations(const std::string& path, std::span<const std::string> inputs,
                             std::span<const int> years,
                             const std::vector<RankCorrelationTable>& tables,
                             const std::vector<Attribute>& attributes);

/// "<group>/rank_correlations/<output>" ("rank_correlations/<output>" at the root) of every
/// stored result, for `chiprace info`.
std::vector<std::string> list_rank_correlations(const std::string& path);

} // namespace chiprace::io
