#pragma once
// The result file (format version 1, docs/file-format.md): created and finished by rank 0
// alone, with per-sample rows written in between by every rank (raw_row_writer.hpp).

#include "chiprace/io/result_layout.hpp"
#include "chiprace/stats/column_summary.hpp"

#include <string>
#include <vector>

namespace chiprace::io {

/// Level of the interval written beside each event probability.
inline constexpr double event_confidence_level = 0.95;

/// Creates path with every group, attribute, the time and quantile axes, /config, and (raw
/// mode) the per-sample datasets allocated for n_samples rows. Truncates an existing path:
/// callers pass the ".partial" name, never the final one.
void create_result_file(const std::string& path, const ResultLayout& layout,
                        const RootMetadata& metadata);

/// Column summaries of one group: columns in the order of layout.outputs (a series
/// contributes one column per year).
struct SummaryGroup {
    std::string group; // "" (root), "policies/<p>", "contrasts/<a>_vs_<b>"
    std::vector<stats::ColumnSummary> columns;
    bool contrast = false; // which of the outputs' events apply (EventDescription::applies)
    /// Samples meeting each event that applies to the group: per output, per event, per year.
    std::vector<std::uint64_t> event_counts = {};
    std::uint64_t event_samples = 0; // the denominator: every sample run
};

/// Writes <group>/summary/<output>/{mean,std,min,max,quantiles,n_finite,n_non_finite}, the
/// events group of an output with events, and the closing root attributes.
void write_summaries(const std::string& path, const ResultLayout& layout,
                     const std::vector<SummaryGroup>& groups,
                     const std::vector<Attribute>& closing_attributes);

/// Flushes to stable storage and renames partial → final.
void publish_result_file(const std::string& partial, const std::string& final_path);

} // namespace chiprace::io
