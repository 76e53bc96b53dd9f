#pragma once
// [sensitivity]: what a saltelli or morris design analyses, checked against the model.

#include "chiprace/config/experiment.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace chiprace::config {

/// Reads [sensitivity] into ex.sensitivity (ex.design, ex.design_options, ex.parameters and
/// ex.model must be set) and rounds ex.block_size up to whole base points or trajectories.
void read_sensitivity_options(const toml::table& root, Experiment& ex, DiagnosticList& errors);

/// For /config_resolved; null without a sensitivity design.
nlohmann::json sensitivity_json(const Experiment& ex);

} // namespace chiprace::config
