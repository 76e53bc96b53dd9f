#pragma once
// The built-in models by name, built from the experiment's [model] settings and parameters.

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/model/model.hpp"
#include "chiprace/random/parameter_space.hpp"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>

namespace chiprace::config {

/// Names accepted by [experiment] model.
std::span<const std::string_view> builtin_model_names();

/// Builds the named model, or reports why it cannot be built (unknown model, bad or missing
/// settings, parameters that do not match its inputs) to errors and returns nullptr.
/// name_node and settings locate the diagnostics; settings may be null (no [model] table).
std::shared_ptr<const model::Model> make_model(const toml::node& name_node,
                                               const toml::table* settings,
                                               const toml::table* parameter_table,
                                               const random::ParameterSpace& parameters,
                                               DiagnosticList& errors);

} // namespace chiprace::config
