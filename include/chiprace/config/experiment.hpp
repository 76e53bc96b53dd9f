#pragma once
// A validated experiment: everything a run needs, typed and immutable once loaded.

#include "chiprace/config/policy_sweep.hpp"
#include "chiprace/model/model_definition.hpp"
#include "chiprace/random/gaussian_copula.hpp"
#include "chiprace/random/parameter_space.hpp"
#include "chiprace/stats/observation.hpp"
#include "chiprace/stats/regret.hpp"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace chiprace::config {

inline constexpr int schema_version = 1;

enum class StoreMode { raw, summary };

struct OutputSettings {
    StoreMode store = StoreMode::raw;
    std::vector<double> quantiles{0.05, 0.25, 0.5, 0.75, 0.95};
    double quantile_relative_error = 0.002; // requested bound
    unsigned sketch_mantissa_bits = 8;      // smallest m with 2^-(m+1) <= the request
    int compression = 0;                    // deflate level of raw datasets, 0 = none
    bool single_precision = false;          // raw outputs stored as float32
    bool nonfinite_is_error = false;        // on_nonfinite = "error": NaN/inf fails the run
    /// [output] keep: indices (into model->outputs(), ascending) of the outputs whose
    /// per-sample rows are stored; nothing when every output's are.
    std::optional<std::vector<std::size_t>> keep;
};

/// [design]: options of the sampling design named by experiment.design.
struct DesignOptions {
    std::string base = "sobol"; // saltelli: the base design of dimension 2d (sobol or mc)
    bool second_order = false;  // saltelli: also the B_A^k runs
    unsigned levels = 4;        // morris: grid levels p (even)
    bool scramble = true;       // sobol (and a sobol base): randomise the points
    std::vector<std::pair<std::string, std::vector<double>>> grid; // grid: swept parameters
};

/// [sensitivity]: which outputs a saltelli (Sobol' indices) or morris design analyses.
struct SensitivitySettings {
    bool enabled = false;             // the design is saltelli or morris
    std::vector<std::size_t> outputs; // indices into model->outputs()
    std::vector<int> years;           // analysed years of per-year outputs
    double confidence_level = 0.95;
    std::uint64_t bootstrap = 100; // Poisson-bootstrap replicates
    std::uint64_t group_runs = 1;  // runs per base point or trajectory
    /// Adaptive stopping: add base points (doubling from experiment.samples) until every
    /// index's interval is at most this wide, or max_samples base points are done.
    std::optional<double> target_ci_width;
    std::uint64_t max_samples = 0; // base points; 0 without adaptive stopping
};

/// An event whose probability every summary of its output reports, per year of a series.
struct EventSettings {
    std::size_t output = 0; // index into model->outputs()
    model::OutputEvent event;
    bool on_outputs = true;    // in the groups of policies (or the root)
    bool on_contrasts = false; // in the contrasts' paired differences
    bool from_model = false;   // declared by the model, not by [output] events
};

/// A [robustness] objective: one output in one year (or a scalar output), and which way is
/// better; regret, satisficing at each threshold and dominance are computed on it.
struct RobustnessObjective {
    std::string name;           // "<output>_<year>" unless named; an HDF5 group name
    std::size_t output = 0;     // index into model->outputs()
    std::size_t year_index = 0; // into model->years(); 0 for a scalar output
    std::optional<int> year;    // none for a scalar output
    stats::Direction direction = stats::Direction::higher;
    std::vector<double> thresholds; // satisficing: value >= (higher) or <= (lower) threshold
};

/// A [[calibration.targets]] entry: what was observed of one output in one year under the
/// policy that describes what actually happened (docs/calibration.md).
struct CalibrationTarget {
    std::string name;           // "<output>_<year>" unless named; unique
    std::size_t output = 0;     // index into model->outputs()
    std::size_t year_index = 0; // into model->years(); 0 for a scalar output
    std::optional<int> year;    // none for a scalar output
    std::size_t variant = 0;    // the policy (model variant) whose value is observed
    std::string policy;         // its name
    stats::Observation observation;
    std::string source; // where the observation comes from (free text, recorded in the file)
};

/// [calibration]: importance weights of the futures by what is already known.
struct CalibrationSettings {
    bool enabled = false; // [calibration] is present (with no targets every weight is 1)
    std::vector<CalibrationTarget> targets;
    double min_ess = 100.0;      // Kish effective sample size below which the run warns
    bool refuse_low_ess = false; // on_low_ess = "error": no posterior below min_ess, exit 1
    /// Outputs (indices into model->outputs(), ascending) given posterior summaries: `outputs`,
    /// by default the model's headline outputs (every output for a model without headline
    /// outputs). Every output keeps its prior summary.
    std::vector<std::size_t> posterior_outputs;
    bool outputs_given = false; // `outputs` was in the file
};

struct Experiment {
    std::string name;
    std::string description;
    std::string model_name;
    std::uint64_t samples = 0;
    std::uint64_t seed = 0;
    std::string design = "mc";
    DesignOptions design_options;
    /// [correlations], as given (first, second, Spearman ρ), and the copula that imposes them.
    struct Correlation {
        std::string first, second;
        double spearman;
    };
    std::vector<Correlation> correlations;
    std::shared_ptr<const random::GaussianCopula> copula;
    /// Things worth knowing that are not errors (a Sobol' N that is not a power of two).
    std::vector<std::string> warnings;
    std::uint64_t block_size = 1024;
    random::ParameterSpace parameters;
    OutputSettings output;
    SensitivitySettings sensitivity;
    std::vector<EventSettings> events;
    std::vector<RobustnessObjective> robustness;
    CalibrationSettings calibration;
    std::shared_ptr<const model::Model> model;
    std::shared_ptr<const model::ModelDefinition> definition; // the registered model's schema
    /// Variant indices of [experiment] reference, in the order given: every other policy is
    /// contrasted with each. Empty without a reference.
    std::vector<std::size_t> references;
    bool reference_is_list = false; // given as an array: /config_resolved records an array
    /// [policy_sweeps]: each cell is one of the model's policies (after those of [policies]).
    std::vector<PolicySweep> policy_sweeps;

    std::string source_path; // the experiment file as given
    std::string source_text; // its text, stored in /config
    std::vector<std::string> included_paths;
    std::vector<std::string> included_texts; // same order as included_paths
    std::vector<std::string> overrides;      // --set arguments, in order
    /// Model plug-ins loaded for this experiment ([experiment] plugins, then --plugin): for
    /// each, {file (as written), path (canonical), sha256, version, models}. Empty: none.
    nlohmann::json plugins = nlohmann::json::array();
    nlohmann::json resolved; // the validated experiment, stored in /config_resolved

    [[nodiscard]] std::uint64_t block_count() const {
        return (samples + block_size - 1) / block_size;
    }
};

} // namespace chiprace::config
