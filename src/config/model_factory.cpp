#include "chiprace/config/model_factory.hpp"

#include "chiprace/config/toml_diagnostics.hpp"
#include "chiprace/model/ishigami.hpp"
#include "chiprace/model/sobol_g.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace chiprace::config {

namespace {

constexpr std::array<std::string_view, 2> model_names{"ishigami", "sobol_g"};

/// A number setting (integer or float) with a default; reports a wrong type.
double number_setting(const toml::table* settings, std::string_view key, double fallback,
                      DiagnosticList& errors) {
    if (settings == nullptr)
        return fallback;
    const toml::node* node = settings->get(key);
    if (node == nullptr)
        return fallback;
    if (auto v = node->value<double>(); v && (node->is_floating_point() || node->is_integer())) {
        if (!std::isfinite(*v))
            errors.add(diagnostic_at(*node, "[model] " + std::string(key) + " must be finite"));
        return *v;
    }
    errors.add(diagnostic_at(*node, "[model] " + std::string(key) + " must be a number"));
    return fallback;
}

void reject_unknown_settings(const toml::table* settings, std::span<const std::string_view> known,
                             std::string_view model, DiagnosticList& errors) {
    if (settings == nullptr)
        return;
    for (const auto& [key, node] : *settings) {
        const bool ok = std::find(known.begin(), known.end(), key.str()) != known.end();
        if (!ok)
            errors.add(diagnostic_at(key, unknown_key_message(key.str(), "model", known) +
                                              " (settings of model '" + std::string(model) + "')"));
    }
}

/// The position of parameter `name` for diagnostics: its key in [parameters].
Diagnostic at_parameter(const toml::table* parameter_table, const toml::node& fallback,
                        std::string_view name, std::string message) {
    if (parameter_table != nullptr) {
        for (const auto& [key, node] : *parameter_table)
            if (key.str() == name)
                return diagnostic_at(key, std::move(message));
    }
    return diagnostic_at(fallback, std::move(message));
}

std::shared_ptr<const model::Model> make_ishigami(const toml::node& name_node,
                                                  const toml::table* settings,
                                                  const toml::table* parameter_table,
                                                  const random::ParameterSpace& space,
                                                  DiagnosticList& errors) {
    constexpr std::array<std::string_view, 2> known{"a", "b"};
    reject_unknown_settings(settings, known, "ishigami", errors);
    const double a = number_setting(settings, "a", 7.0, errors);
    const double b = number_setting(settings, "b", 0.1, errors);
    constexpr std::array<std::string_view, 3> inputs{"x1", "x2", "x3"};
    std::array<std::size_t, 3> index{};
    bool complete = true;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        index[k] = space.index_of(inputs[k]);
        if (index[k] == space.dimension()) {
            errors.add(diagnostic_at(name_node,
                                     "model 'ishigami' needs parameter '" + std::string(inputs[k]) +
                                         "' in [parameters] (its inputs are x1, x2, x3)"));
            complete = false;
        }
    }
    for (const auto& p : space.parameters()) {
        if (std::find(inputs.begin(), inputs.end(), p.name) == inputs.end()) {
            std::string msg = "model 'ishigami' has no input '" + p.name + "'";
            if (const auto guess = closest_match(p.name, inputs))
                msg += "; did you mean '" + *guess + "'?";
            else
                msg += " (its inputs are x1, x2, x3)";
            errors.add(at_parameter(parameter_table, name_node, p.name, msg));
            complete = false;
        }
    }
    if (!complete)
        return nullptr;
    return std::make_shared<model::Ishigami>(a, b, index[0], index[1], index[2]);
}

std::shared_ptr<const model::Model> make_sobol_g(const toml::node& name_node,
                                                 const toml::table* settings,
                                                 const random::ParameterSpace& space,
                                                 DiagnosticList& errors) {
    constexpr std::array<std::string_view, 1> known{"a"};
    reject_unknown_settings(settings, known, "sobol_g", errors);
    const toml::node* a_node = settings ? settings->get("a") : nullptr;
    if (a_node == nullptr) {
        errors.add(diagnostic_at(name_node, "model 'sobol_g' needs [model] a = [...], one "
                                            "non-negative number per input"));
        return nullptr;
    }
    const toml::array* arr = a_node->as_array();
    if (arr == nullptr || arr->empty()) {
        errors.add(diagnostic_at(*a_node, "[model] a must be a non-empty array of numbers"));
        return nullptr;
    }
    std::vector<double> a;
    bool ok = true;
    for (const auto& el : *arr) {
        const auto v = el.value<double>();
        if (!v || !(el.is_integer() || el.is_floating_point()) || !std::isfinite(*v) || *v < 0) {
            errors.add(diagnostic_at(el, "[model] a: each entry must be a finite number >= 0"));
            ok = false;
            continue;
        }
        a.push_back(*v);
    }
    if (space.dimension() != arr->size()) {
        errors.add(diagnostic_at(*a_node, "model 'sobol_g' has one input per entry of a (" +
                                              std::to_string(arr->size()) +
                                              "), but [parameters] lists " +
                                              std::to_string(space.dimension())));
        ok = false;
    }
    if (!ok)
        return nullptr;
    std::vector<std::size_t> inputs(a.size());
    for (std::size_t k = 0; k < inputs.size(); ++k)
        inputs[k] = k; // paired with parameters in the order listed
    return std::make_shared<model::SobolG>(std::move(a), std::move(inputs));
}

} // namespace

std::span<const std::string_view> builtin_model_names() {
    return model_names;
}

std::shared_ptr<const model::Model> make_model(const toml::node& name_node,
                                               const toml::table* settings,
                                               const toml::table* parameter_table,
                                               const random::ParameterSpace& parameters,
                                               DiagnosticList& errors) {
    const std::string name = name_node.value_or(std::string{});
    if (name == "ishigami")
        return make_ishigami(name_node, settings, parameter_table, parameters, errors);
    if (name == "sobol_g")
        return make_sobol_g(name_node, settings, parameters, errors);
    std::string msg = "unknown model '" + name + "'";
    if (const auto guess = closest_match(name, model_names))
        msg += "; did you mean '" + *guess + "'?";
    else
        msg += "; built-in models: ishigami, sobol_g";
    errors.add(diagnostic_at(name_node, msg));
    return nullptr;
}

} // namespace chiprace::config
