#pragma once
// A registered model by name (model/model_registry.hpp), built from the experiment's [model]
// settings, [parameters] and [policies], each checked against the model's definition.

#include "chiprace/config/policy_sweep.hpp"
#include "chiprace/core/diagnostic.hpp"
#include "chiprace/model/model_definition.hpp"
#include "chiprace/random/parameter_space.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace chiprace::config {

/// The parts of an experiment file a model is built from; null pointers for absent tables.
struct ModelSource {
    const toml::node& name_node;               // [experiment] model
    const toml::table* experiment = nullptr;   // [experiment] (policies, reference)
    const toml::table* settings = nullptr;     // [model]
    const toml::table* parameters = nullptr;   // [parameters]
    const toml::table* policies = nullptr;     // [policies]
    const toml::node* policy_sweeps = nullptr; // [policy_sweeps]
    std::vector<std::string> policy_order;     // policies in the order they are written
    std::string file;                          // the experiment file, for unlocated problems
};

/// What the model adds to the experiment: contrasts of each policy against each reference.
struct BuiltModel {
    std::shared_ptr<const model::Model> model;
    std::shared_ptr<const model::ModelDefinition> definition; // what it was built from
    std::vector<std::size_t> references;    // variant indices of the reference policies
    bool reference_is_list = false;         // given as an array (recorded as one)
    std::vector<PolicySweep> policy_sweeps; // their cells run after the other policies
    nlohmann::json resolved_settings;       // every setting with its default filled in
};

/// Builds the named model, or reports why it cannot be built (unknown model, bad or missing
/// settings, parameters that do not match its inputs, bad policies) and returns a null model.
BuiltModel make_model(const ModelSource& source, const random::ParameterSpace& parameters,
                      DiagnosticList& errors);

} // namespace chiprace::config
