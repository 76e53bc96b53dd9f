#pragma once
// What a result file holds, described without reference to the experiment or model types, so
// that io/ depends only on core and stats (docs/design.md, "Modules").

#include "chiprace/stats/event_count.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace chiprace::io {

inline constexpr const char* format_name = "chiprace";
inline constexpr std::int64_t format_version_major = 1;
/// 1: /robustness, /policy_sweeps, /discovery, and per-sample outputs limited by [output] keep.
/// 2: /calibration and the posterior summaries <group>/posterior of a calibrated run.
inline constexpr std::int64_t format_version_minor = 2;

struct InputDescription {
    std::string name, units, description, distribution;
};

/// An event counted in the summaries of an output (docs/file-format.md, "Event probabilities").
struct EventDescription {
    std::string name;
    stats::Comparison comparison = stats::Comparison::less;
    double threshold = 0.0;
    std::string description;
    bool on_variants = true;   // counted in the groups of policies (or the root)
    bool on_contrasts = false; // counted in the contrasts' paired differences
    [[nodiscard]] bool applies(bool contrast) const {
        return contrast ? on_contrasts : on_variants;
    }
};

struct OutputDescription {
    std::string name, units, description;
    bool per_year = false;
    bool integer_valued = false; // quantiles exact rather than within the sketch's bound
    std::vector<EventDescription> events = {};
    bool kept = true; // raw mode: its per-sample rows are stored ([output] keep)
};

/// A grid over policy levers whose cells are policies of the run (/policy_sweeps/<name>).
struct PolicySweepDescription {
    std::string name, based_on, description;
    bool sampled = false;            // a Latin hypercube: values are each lever's range [low, high]
    std::int64_t seed = 0;           // of the Latin hypercube
    std::vector<std::string> levers; // the axes, the first varying slowest
    std::vector<std::vector<double>> values;      // per axis, as written
    std::vector<std::string> cells;               // each cell's policy, in cell order
    std::vector<std::vector<double>> coordinates; // per cell, one value per axis
};

using AttributeValue = std::variant<std::string, std::int64_t, double>;
struct Attribute {
    std::string name;
    AttributeValue value;
};

/// What sensitivity analysis the run computes (from a saltelli or morris design).
struct SensitivityLayout {
    enum class Method { sobol, morris };
    Method method = Method::sobol;
    double confidence_level = 0.95;
    std::size_t bootstrap_replicates = 100;
    std::vector<std::size_t> outputs; // indices into ResultLayout::outputs
    std::vector<int> years;           // per-year outputs: the years analysed (a subset of years)
    std::uint64_t group_runs = 1;     // runs per base point (Sobol') or trajectory (Morris)
    bool second_order = false;        // Sobol': second-order indices from the B_A^k runs
    [[nodiscard]] const char* method_name() const {
        return method == Method::sobol ? "sobol" : "morris";
    }
};

/// A robustness objective ([robustness]): the summary column it reads in every policy, which
/// way is better, and its satisficing thresholds. Written under /robustness/<name>.
struct RobustnessLayout {
    std::string name;
    std::size_t output = 0;     // index into ResultLayout::outputs
    std::size_t year_index = 0; // into ResultLayout::years; 0 for a scalar output
    bool higher_is_better = true;
    std::vector<double> thresholds;
};

/// [calibration] (docs/calibration.md): the targets, described in /calibration at creation.
/// Each summary column of the variants and contrasts, and each input, also gets a posterior
/// summary weighted by the futures' likelihoods.
struct CalibrationLayout {
    struct Target {
        std::string name, output, policy, observation, source;
        std::int64_t year = -1;                 // -1 for a scalar output
        double parameters[3] = {0.0, 0.0, 0.0}; // see stats::Observation; NaN where unused
    };
    std::vector<Target> targets;
    double min_ess = 100.0;
    bool refuse_low_ess = false;
    /// Outputs (indices into ResultLayout::outputs) given posterior summaries in every group;
    /// the weighted work of every output would cost as much as the rest of the run.
    std::vector<std::size_t> posterior_outputs;
    [[nodiscard]] bool has_posterior(std::size_t output) const {
        for (const std::size_t k : posterior_outputs)
            if (k == output)
                return true;
        return false;
    }
};

struct ResultLayout {
    std::uint64_t n_samples = 0;
    bool store_raw = true;
    int compression = 0;           // deflate level of the per-sample datasets (with shuffle)
    bool single_precision = false; // per-sample outputs as float32 (inputs stay float64)
    std::vector<int> years;        // the time axis; empty when the model has none
    std::vector<double> quantile_levels;
    double quantile_relative_error = 0.0; // guaranteed bound of the quantile sketch
    std::vector<InputDescription> inputs;
    std::vector<OutputDescription> outputs;
    /// One group per model variant: "" for the file root, "policies/<name>" for a policy.
    std::vector<std::string> variant_groups;
    /// Paired differences (policy − reference, per sample): "contrasts/<a>_vs_<b>". Summaries
    /// only; the per-sample differences follow from the stored outputs.
    std::vector<std::string> contrast_groups;
    /// Sensitivity indices per group (variants, then contrasts), when the design allows them.
    std::optional<SensitivityLayout> sensitivity;
    /// Robustness objectives over the variants (policies); their regret columns are summarised
    /// after every group's columns, one per (objective, variant).
    std::vector<RobustnessLayout> robustness;
    /// Lever sweeps whose cells are among variant_groups.
    std::vector<PolicySweepDescription> policy_sweeps;
    /// Calibration targets, or none.
    std::optional<CalibrationLayout> calibration;

    [[nodiscard]] std::size_t columns_per_variant() const {
        std::size_t c = 0;
        for (const auto& o : outputs)
            c += o.per_year ? years.size() : 1;
        return c;
    }
    /// Column of output k in year index t (t ignored for scalar outputs), within one group.
    [[nodiscard]] std::size_t column_of(std::size_t k, std::size_t t) const {
        std::size_t c = 0;
        for (std::size_t i = 0; i < k; ++i)
            c += outputs[i].per_year ? years.size() : 1;
        return outputs[k].per_year ? c + t : c;
    }
    /// Summary columns of the run: each group's (variants, then contrasts), then the regret
    /// of every (robustness objective, variant).
    [[nodiscard]] std::size_t summary_columns() const {
        return (variant_groups.size() + contrast_groups.size()) * columns_per_variant() +
               robustness.size() * variant_groups.size();
    }
    /// "/outputs/y" or "/policies/p/outputs/y"
    [[nodiscard]] static std::string join(const std::string& group, const std::string& rest) {
        return group.empty() ? "/" + rest : "/" + group + "/" + rest;
    }
};

struct RootMetadata {
    std::vector<Attribute> attributes; // written on "/"
    std::string config_text;           // /config
    std::string config_resolved;       // /config_resolved (JSON)
    /// Files the experiment included, as (path, text): /config_included/<n>, so that a result
    /// file is self-contained.
    std::vector<std::pair<std::string, std::string>> included;
    /// Attributes of /design: what the sampling design is, so every point can be re-derived.
    std::vector<Attribute> design;
    /// Per-run columns of /design (raw mode): the role of each run in its design, so that an
    /// analysis finds A, B and A_B^k rows, or each elementary effect, without recomputing.
    struct RunColumn {
        std::string name, description;
        std::function<void(std::uint64_t first, std::span<std::int32_t> out)> fill;
    };
    std::vector<RunColumn> design_runs;
};

} // namespace chiprace::io
