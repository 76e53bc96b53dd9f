#pragma once
// The models an experiment may name: every built-in and every plug-in loaded so far, each a
// ModelDefinition checked once when it is added (a unique, valid name; unique setting,
// parameter, lever and output names; a time axis for a model with levers; a build hook).

#include "chiprace/model/model_definition.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chiprace::model {

struct RegisteredModel {
    std::shared_ptr<const ModelDefinition> definition;
    std::string origin; // "built-in", or the plug-in file that defined it
};

class ModelRegistry {
public:
    /// Adds a model; throws std::invalid_argument saying what is wrong with the definition, or
    /// which origin already defined the name.
    void add(ModelDefinition definition, std::string origin);
    [[nodiscard]] const RegisteredModel* find(std::string_view name) const;
    [[nodiscard]] const std::vector<RegisteredModel>& models() const { return models_; }

private:
    std::vector<RegisteredModel> models_;
};

/// Why a definition cannot be registered, or an empty string: the checks of add().
std::string definition_problem(const ModelDefinition& definition);

/// The process's registry: the built-in models (builtin_models.cpp), then the plug-ins loaded.
ModelRegistry& model_registry();

} // namespace chiprace::model
