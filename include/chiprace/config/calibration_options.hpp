#pragma once
// [calibration]: what is already known of the model's outputs, as observations that weight the
// futures (docs/calibration.md, docs/config.md "Calibration").

#include "chiprace/config/experiment.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace chiprace::config {

/// Fills ex.calibration from [calibration] when the table is present (ex.model must be set for
/// its targets to be read; without a model only the table's own keys are checked).
void read_calibration(const toml::table& root, Experiment& ex, DiagnosticList& errors);

/// For /config_resolved (calibration): the settings with their defaults and one object per
/// target. Only meaningful when ex.calibration.enabled.
nlohmann::json calibration_json(const Experiment& ex);

} // namespace chiprace::config
