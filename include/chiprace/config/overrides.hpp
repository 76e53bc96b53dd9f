#pragma once
// --set KEY.PATH=VALUE: command-line overrides of any experiment value, so sweeps and Slurm
// arrays vary one file instead of copying it.

#include "chiprace/core/diagnostic.hpp"

#include <string>
#include <toml++/toml.h>

namespace chiprace::config {

/// Applies one override to root. A VALUE that does not parse as TOML is taken as a string
/// (so `output.store=summary` works unquoted). Reports a malformed argument to errors.
void apply_override(toml::table& root, const std::string& argument, DiagnosticList& errors);

} // namespace chiprace::config
