#pragma once
// [output] keep: the outputs whose per-sample rows a raw run stores (with every input), so that
// a very long run for scenario discovery stores only what it will search (docs/config.md).

#include "chiprace/config/experiment.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <toml++/toml.h>

namespace chiprace::config {

/// Fills ex.output.keep (ex.model and ex.output.store must be set). Reports a keep that is not
/// a non-empty array of output names, an unknown name (with a suggestion), a name given twice,
/// and keep without store = "raw".
void read_kept_outputs(const toml::table& root, Experiment& ex, DiagnosticList& errors);

} // namespace chiprace::config
