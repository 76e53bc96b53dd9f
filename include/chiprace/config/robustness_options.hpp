#pragma once
// [robustness]: the objectives on which policies are compared future by future — regret,
// satisficing and pairwise dominance (docs/robustness.md, docs/config.md "Robustness").

#include "chiprace/config/experiment.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace chiprace::config {

/// Fills ex.robustness from [robustness] objectives (ex.model must be set). Needs a model with
/// at least two policies: regret compares each policy with the best one in the same future.
void read_robustness(const toml::table& root, Experiment& ex, DiagnosticList& errors);

/// For /config_resolved (robustness): one object per objective.
nlohmann::json robustness_json(const Experiment& ex);

} // namespace chiprace::config
