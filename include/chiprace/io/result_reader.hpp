#pragma once
// Reading a result file back: provenance and summaries, for `chiprace info` and tests.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chiprace::io {

struct OutputSummaryView {
    std::string group; // "" (root), "policies/<p>", "contrasts/<a>_vs_<b>"
    std::string name, units, description;
    bool per_year = false;
    std::vector<double> mean, std_dev, min, max;
    std::vector<double> quantiles; // (T or 1) × Q, row-major
    std::vector<std::int64_t> n_finite, n_non_finite;
    /// <output>/events, when the output has events in this group: one per event, each with
    /// its probability, Wilson interval bounds and count, one per year (or one).
    struct Event {
        std::string name, comparison;
        double threshold = 0.0;
        std::vector<double> probability, low, high;
        std::vector<std::uint64_t> count;
    };
    std::vector<Event> events;
};

/// <group>/sensitivity/<output>: Sobol' (main = S1, total = ST) or Morris (main = mu_star,
/// total = sigma) indices, (d) or (d, T) row-major, with their bootstrap half-widths.
struct SensitivityView {
    std::string group, output, method;
    bool per_year = false;
    std::vector<double> main, total, main_conf, total_conf;
    /// Per column (1, or one per analysed year): why its values are NaN, "" where they are
    /// defined; empty when the file records no reason (docs/sensitivity.md).
    std::vector<std::string> undefined_reason;
};

/// /robustness/<objective>: each policy's regret summary, ranks and shares (policy order of
/// /robustness/policy).
struct RobustnessView {
    std::string name, output, better, units;
    std::optional<int> year;
    std::int64_t samples = 0;
    std::vector<double> regret_mean, regret_max, best_share;
    std::vector<std::int64_t> mean_rank, minimax_rank;
    std::vector<double> thresholds;
    std::vector<double> satisficing_share; // (thresholds × policies), row-major
    std::vector<double> dominance_share;   // (policies × policies): P(row better than column)
};

/// /calibration of a calibrated run (docs/calibration.md): the targets, how much of the sample
/// the weights kept, and the prior and posterior summaries of every sampled input.
struct CalibrationView {
    struct Target {
        std::string name, output, policy, observation, source;
        std::int64_t year = -1;             // -1 for a scalar output
        std::array<double, 3> parameters{}; // NaN where the observation has fewer
        double ess = 0.0;                   // of this target's weights alone
    };
    struct InputSummary {
        std::string name;
        double mean = 0.0, std_dev = 0.0;
    };
    std::vector<Target> targets;
    double min_ess = 0.0;
    std::string on_low_ess;
    double ess = 0.0, ess_fraction = 0.0, max_weight = 0.0;
    std::uint64_t n_positive = 0;
    bool posterior_written = false;
    /// By name; posterior_inputs is empty when no posterior was written.
    std::vector<InputSummary> prior_inputs, posterior_inputs;
};

struct ResultOverview {
    std::vector<std::pair<std::string, std::string>> attributes; // root, as text
    std::vector<int> years;
    std::vector<double> quantile_levels;
    std::vector<std::string> inputs;
    bool has_raw_rows = false;
    std::vector<OutputSummaryView> summaries;
    std::vector<std::string> parameters; // /parameter: the sensitivity axis
    std::vector<int> sensitivity_years;  // /sensitivity_year
    std::vector<SensitivityView> sensitivity;
    std::vector<std::string> robustness_policies; // /robustness/policy
    std::vector<RobustnessView> robustness;
    std::optional<CalibrationView> calibration;
    /// <group>/posterior of a calibrated run: the summaries weighted by the futures'
    /// likelihoods, in the groups' order of `summaries` (no events).
    std::vector<OutputSummaryView> posterior;

    [[nodiscard]] std::string attribute(const std::string& name) const;
};

/// Throws RuntimeFailure when the file is missing, is not a chiprace file, or has a format
/// major version this build does not read.
ResultOverview read_result_overview(const std::string& path);

/// The per-sample values of one raw dataset ("/inputs/x1", "/outputs/y"), row-major.
std::vector<double> read_raw_dataset(const std::string& path, const std::string& dataset);

} // namespace chiprace::io
