#pragma once
// [design]: the options of the sampling design, checked against the design and parameters.

#include "chiprace/config/experiment.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace chiprace::config {

/// Reads [design] into ex.design_options (ex.design, ex.samples and ex.parameters must be
/// set), reporting unknown keys, bad values and options that do not fit the design.
void read_design_options(const toml::table& root, Experiment& ex, DiagnosticList& errors);

/// The options that matter for ex.design, for /config_resolved.
nlohmann::json design_options_json(const Experiment& ex);

} // namespace chiprace::config
