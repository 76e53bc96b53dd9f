#pragma once
// The built-in models by name, built from the experiment's [model] settings and parameters.

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/model/model.hpp"
#include "chiprace/random/parameter_space.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace chiprace::config {

/// Names accepted by [experiment] model.
std::span<const std::string_view> builtin_model_names();

/// The parts of an experiment file a model is built from; null pointers for absent tables.
struct ModelSource {
    const toml::node& name_node;             // [experiment] model
    const toml::table* experiment = nullptr; // [experiment] (policies, reference)
    const toml::table* settings = nullptr;   // [model]
    const toml::table* parameters = nullptr; // [parameters]
    const toml::table* policies = nullptr;   // [policies]
    std::vector<std::string> policy_order;   // policies in the order they are written
    std::string file;                        // the experiment file, for unlocated problems
};

/// What the model adds to the experiment: contrasts of each policy against the reference.
struct BuiltModel {
    std::shared_ptr<const model::Model> model;
    std::size_t reference = 0; // variant index of the reference policy
    bool has_reference = false;
    nlohmann::json resolved_settings; // every setting with its default filled in
};

/// Builds the named model, or reports why it cannot be built (unknown model, bad or missing
/// settings, parameters that do not match its inputs, bad policies) and returns a null model.
BuiltModel make_model(const ModelSource& source, const random::ParameterSpace& parameters,
                      DiagnosticList& errors);

} // namespace chiprace::config
