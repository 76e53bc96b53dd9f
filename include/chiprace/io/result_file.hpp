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
    /// The subgroup: "summary", or "posterior" for a calibrated run's weighted summaries
    /// (whose quantiles are weighted and which count no events).
    std::string part = "summary";
    /// Which outputs the group holds (columns then cover only those), or empty: every one.
    std::vector<char> present = {};
};

/// A calibrated run's diagnostics and its inputs' prior and posterior summaries
/// (/calibration/diagnostics, /calibration/inputs; docs/file-format.md).
struct CalibrationResult {
    double ess = 0.0, ess_fraction = 0.0, sum_weights = 0.0, sum_weights_squared = 0.0,
           max_weight = 0.0;
    std::uint64_t n_positive = 0;
    std::vector<double> target_ess;
    bool posterior_written = true;
    std::vector<stats::ColumnSummary> prior_inputs, posterior_inputs; // layout.inputs' order
};

/// Writes /calibration/diagnostics and /calibration/inputs/{prior,posterior}.
void write_calibration(const std::string& path, const ResultLayout& layout,
                       const CalibrationResult& result);

/// Writes <group>/summary/<output>/{mean,std,min,max,quantiles,n_finite,n_non_finite}, the
/// events group of an output with events, and the closing root attributes.
void write_summaries(const std::string& path, const ResultLayout& layout,
                     const std::vector<SummaryGroup>& groups,
                     const std::vector<Attribute>& closing_attributes);

/// Flushes to stable storage and renames partial → final.
void publish_result_file(const std::string& partial, const std::string& final_path);

} // namespace chiprace::io
