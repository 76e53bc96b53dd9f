#include "chiprace/model/model_registry.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

namespace chiprace::model {

namespace {

bool valid_name(std::string_view name) {
    return !name.empty() && std::isdigit(static_cast<unsigned char>(name.front())) == 0 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
           });
}

/// The first name given twice among `names`, or empty.
template <typename Items, typename Name>
std::string repeated(const Items& items, Name name_of) {
    std::set<std::string, std::less<>> seen;
    for (const auto& item : items)
        if (!seen.insert(std::string(name_of(item))).second)
            return std::string(name_of(item));
    return {};
}

} // namespace

std::string definition_problem(const ModelDefinition& d) {
    if (!valid_name(d.name))
        return "a model's name must be letters, digits and '_' (not starting with a digit), "
               "not '" +
               d.name + "'";
    const std::string who = "model '" + d.name + "': ";
    if (!d.build)
        return who + "the definition has no build function";
    if (d.outputs.empty())
        return who + "the definition declares no outputs";
    for (const auto& [what, twice] :
         {std::pair{"setting", repeated(d.settings, [](const auto& s) { return s.name; })},
          std::pair{"parameter", repeated(d.parameters, [](const auto& p) { return p.name; })},
          std::pair{"lever", repeated(d.levers, [](const auto& l) { return l.name; })},
          std::pair{"output", repeated(d.outputs, [](const auto& o) { return o.name; })}})
        if (!twice.empty())
            return who + "the definition declares " + what + " '" + twice + "' twice";
    for (const auto& s : d.settings)
        if (!valid_name(s.name))
            return who + "setting name '" + s.name + "' must be letters, digits and '_'";
    for (const auto& o : d.outputs)
        if (!valid_name(o.name))
            return who + "output name '" + o.name + "' must be letters, digits and '_'";
    for (const auto& h : d.headline_outputs)
        if (std::none_of(d.outputs.begin(), d.outputs.end(),
                         [&](const auto& o) { return o.name == h && o.per_year; }))
            return who + "headline output '" + h + "' is not one of its per-year outputs";
    if (d.inputs == ModelDefinition::Inputs::positional && !d.parameters.empty())
        return who + "a model with positional inputs declares no parameters";
    if (!d.levers.empty() && !d.years)
        return who + "a model with policy levers needs a time axis (the years hook): a lever "
                     "takes a value per year";
    if (std::any_of(d.outputs.begin(), d.outputs.end(), [](const auto& o) { return o.per_year; }) &&
        !d.years)
        return who + "an output per year needs a time axis (the years hook)";
    return {};
}

void ModelRegistry::add(ModelDefinition definition, std::string origin) {
    if (const auto problem = definition_problem(definition); !problem.empty())
        throw std::invalid_argument(origin + ": " + problem);
    if (const RegisteredModel* existing = find(definition.name))
        throw std::invalid_argument(origin + " defines model '" + definition.name + "', which " +
                                    existing->origin + " already defines");
    models_.push_back(
        {std::make_shared<const ModelDefinition>(std::move(definition)), std::move(origin)});
}

const RegisteredModel* ModelRegistry::find(std::string_view name) const {
    const auto it = std::find_if(models_.begin(), models_.end(),
                                 [&](const auto& m) { return m.definition->name == name; });
    return it == models_.end() ? nullptr : &*it;
}

} // namespace chiprace::model
