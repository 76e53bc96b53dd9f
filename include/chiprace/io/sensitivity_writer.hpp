#pragma once
// Sensitivity results in the result file (docs/file-format.md, "Sensitivity"):
// <group>/sensitivity/<output>/{S1, ST, …} with shape (d) or (d, T), the parameter names as the
// /parameter dimension scale and the analysed years as /sensitivity_year.

#include "chiprace/io/result_layout.hpp"
#include "chiprace/stats/morris_sums.hpp"
#include "chiprace/stats/sobol_sums.hpp"

#include <string>
#include <vector>

namespace chiprace::io {

/// One group's estimates, one per analysed column: for each output of
/// layout.sensitivity->outputs, one per analysed year (per-year outputs) or one.
struct SensitivityGroup {
    std::string group; // as in ResultLayout::variant_groups or contrast_groups
    std::vector<stats::SobolEstimate> sobol;
    std::vector<stats::MorrisEstimate> morris;
};

/// Rank 0, after write_summaries, before publishing.
void write_sensitivity(const std::string& path, const ResultLayout& layout,
                       const std::vector<SensitivityGroup>& groups);

} // namespace chiprace::io
