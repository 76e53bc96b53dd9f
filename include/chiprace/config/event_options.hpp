#pragma once
// Events whose probabilities the summaries count: those the model declares on its outputs and
// those of [output] events, checked against the model (docs/config.md, "Event probabilities").

#include "chiprace/config/experiment.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace chiprace::config {

/// Fills ex.events (ex.model and ex.reference must be set): the model's events first, in its
/// order, then [output] events as written.
void read_events(const toml::table& root, Experiment& ex, DiagnosticList& errors);

/// For /config_resolved (output.events): one object per event.
nlohmann::json events_json(const Experiment& ex);

} // namespace chiprace::config
