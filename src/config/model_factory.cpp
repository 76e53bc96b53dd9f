#include "chiprace/config/model_factory.hpp"

#include "chiprace/config/policy_loader.hpp"
#include "chiprace/config/toml_diagnostics.hpp"
#include "chiprace/model/model_registry.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <vector>

namespace chiprace::config {

namespace {

using model::ModelDefinition;
using model::SettingSpec;

/// "a, b and c" for a short list of names (in messages).
std::string listed(const std::vector<std::string_view>& names) {
    std::string out;
    for (const auto name : names)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

/// The models of the registry with policy levers, for messages on tables only they read.
std::string models_with_levers() {
    std::vector<std::string_view> names;
    for (const auto& m : model::model_registry().models())
        if (!m.definition->levers.empty())
            names.push_back(m.definition->name);
    return listed(names);
}

/// The position of parameter `name` for diagnostics: its key in [parameters].
Diagnostic at_parameter(const toml::table* parameter_table, const toml::node& fallback,
                        std::string_view name, std::string message) {
    if (parameter_table != nullptr) {
        for (const auto& [key, node] : *parameter_table)
            if (key.str() == name)
                return diagnostic_at_entry(key, node, std::move(message));
    }
    return diagnostic_at(fallback, std::move(message));
}

/// [model]: every setting of the definition, read and checked against its spec, its default
/// filled in; unknown keys reported. False after any problem (each one reported).
bool read_settings(const ModelDefinition& d, const ModelSource& src, model::SettingValues& values,
                   DiagnosticList& errors) {
    const std::size_t before = errors.size();
    const std::string model = "model '" + d.name + "'";
    if (src.settings != nullptr) {
        std::vector<std::string_view> known;
        for (const auto& s : d.settings)
            known.push_back(s.name);
        for (const auto& [key, node] : *src.settings)
            if (std::find(known.begin(), known.end(), key.str()) == known.end())
                errors.add(diagnostic_at(key, unknown_key_message(key.str(), "model", known) +
                                                  " (settings of model '" + d.name + "')"));
    }
    for (const auto& spec : d.settings) {
        const std::string where = "[model] " + spec.name;
        const toml::node* node = src.settings ? src.settings->get(spec.name) : nullptr;
        if (node == nullptr) {
            if (spec.required) {
                std::string msg = model + " needs " + where +
                                  (spec.kind == SettingSpec::Kind::numbers ? " = [...]" : "");
                if (!spec.description.empty())
                    msg += ", " + spec.description;
                errors.add(diagnostic_at(src.name_node, msg));
            } else if (spec.kind == SettingSpec::Kind::numbers)
                values.set(spec.name, spec.default_numbers);
            else if (spec.kind == SettingSpec::Kind::integer)
                values.set(spec.name, static_cast<std::int64_t>(spec.default_number));
            else
                values.set(spec.name, spec.default_number);
            continue;
        }
        switch (spec.kind) {
        case SettingSpec::Kind::integer:
            if (!node->is_integer() ||
                !spec.range.contains(static_cast<double>(node->as_integer()->get()))) {
                errors.add(diagnostic_at(*node, where + " must be " + spec.range.what));
                break;
            }
            values.set(spec.name, node->as_integer()->get());
            break;
        case SettingSpec::Kind::number: {
            const auto v = toml_number(*node);
            if (!v) {
                errors.add(diagnostic_at(*node, where + " must be a number"));
                break;
            }
            if (!std::isfinite(*v) && !(spec.range.allow_infinity && *v > 0)) {
                errors.add(diagnostic_at(*node, where + " must be finite"));
                break;
            }
            if (!spec.range.contains(*v)) {
                errors.add(diagnostic_at(*node, where + " must be " + spec.range.what));
                break;
            }
            values.set(spec.name, *v);
            break;
        }
        case SettingSpec::Kind::numbers: {
            const toml::array* arr = node->as_array();
            if (arr == nullptr || arr->empty()) {
                errors.add(diagnostic_at(*node, where + " must be a non-empty array of numbers"));
                break;
            }
            std::vector<double> numbers;
            bool ok = true;
            for (const auto& el : *arr) {
                const auto v = toml_number(el);
                if (!v || !spec.range.contains(*v)) {
                    errors.add(
                        diagnostic_at(el, where + ": each entry must be " + spec.range.what));
                    ok = false;
                    continue;
                }
                numbers.push_back(*v);
            }
            if (ok)
                values.set(spec.name, std::move(numbers));
            break;
        }
        }
    }
    return errors.size() == before;
}

/// [parameters] against the definition: named inputs must be the model's (required ones all
/// present), each within its range. Fills `index`; false after any problem.
bool match_parameters(const ModelDefinition& d, const ModelSource& src,
                      const random::ParameterSpace& space, std::vector<std::size_t>& index,
                      DiagnosticList& errors) {
    const std::size_t before = errors.size();
    const std::string model = "model '" + d.name + "'";
    if (d.inputs == ModelDefinition::Inputs::positional) {
        for (std::size_t j = 0; j < space.dimension(); ++j)
            index.push_back(j); // paired with the parameters in the order listed
        return true;
    }
    std::vector<std::string_view> names;
    for (const auto& p : d.parameters)
        names.push_back(p.name);
    const std::string noun = d.parameter_noun;
    const std::string all = " (its " + noun + "s are " + listed(names) + ")";
    std::vector<std::string_view> missing;
    for (const auto& p : d.parameters) {
        index.push_back(space.index_of(p.name));
        if (index.back() != space.dimension())
            continue;
        index.back() = model::absent_parameter;
        if (p.required)
            missing.push_back(p.name);
    }
    if (!missing.empty() && !d.default_priors.empty())
        errors.add(diagnostic_at(src.name_node, model + " needs parameter(s) " + listed(missing) +
                                                    " (include " + d.default_priors +
                                                    " for the defaults)"));
    else
        for (const auto name : missing)
            errors.add(diagnostic_at(src.name_node, model + " needs parameter '" +
                                                        std::string(name) + "' in [parameters]" +
                                                        all));
    for (const auto& p : space.parameters()) {
        const auto it = std::find_if(d.parameters.begin(), d.parameters.end(),
                                     [&](const auto& spec) { return spec.name == p.name; });
        if (it == d.parameters.end()) {
            std::string msg = model + " has no " + noun + " '" + p.name + "'";
            if (const auto guess = closest_match(p.name, names))
                msg += "; did you mean '" + *guess + "'?";
            else if (names.size() <= 8)
                msg += all;
            errors.add(at_parameter(src.parameters, src.name_node, p.name, msg));
            continue;
        }
        const auto& b = it->range;
        const auto sup = p.distribution.support();
        const bool low_ok = sup.low > b.low || (sup.low == b.low && (sup.low_open || !b.low_open));
        const bool high_ok = sup.high < b.high || (sup.high == b.high && !b.high_open);
        if (!(low_ok && high_ok))
            errors.add(at_parameter(src.parameters, src.name_node, p.name,
                                    "parameter '" + p.name + "' must be " + b.what + ", but " +
                                        p.distribution.describe() + " can take values outside"));
    }
    return errors.size() == before;
}

/// A model without levers: the tables and keys that set levers do not apply.
void reject_policies(const ModelDefinition& d, const ModelSource& src, DiagnosticList& errors) {
    const std::string which = models_with_levers();
    if (src.policies != nullptr)
        errors.add(
            diagnostic_at(*src.policies, "[policies] applies to models with policy levers (" +
                                             which + "), not '" + d.name + "'"));
    if (src.policy_sweeps != nullptr)
        errors.add(diagnostic_at(*src.policy_sweeps,
                                 "[policy_sweeps] applies to models with policy levers (" + which +
                                     "), not '" + d.name + "'"));
    for (const char* key : {"policies", "reference"})
        if (const toml::node* n = src.experiment ? src.experiment->get(key) : nullptr)
            errors.add(diagnostic_at(*n, "experiment." + std::string(key) +
                                             " applies to models with policies (" + which +
                                             "), not '" + d.name + "'"));
}

/// [experiment] reference: one policy name (a string) or several (an array of names), each
/// one of the policies that run, none twice.
void read_references(const toml::node& ref, const std::vector<std::string>& order,
                     BuiltModel& built, DiagnosticList& errors) {
    auto one = [&](const toml::node& n) {
        const auto it = n.is_string() ? std::find(order.begin(), order.end(), n.as_string()->get())
                                      : order.end();
        if (it == order.end()) {
            std::string msg = "experiment.reference must name one of the policies that run";
            if (n.is_string()) {
                std::vector<std::string_view> running(order.begin(), order.end());
                if (const auto guess = closest_match(n.as_string()->get(), running))
                    msg += "; did you mean '" + *guess + "'?";
            }
            errors.add(diagnostic_at(n, msg));
            return;
        }
        const auto index = static_cast<std::size_t>(it - order.begin());
        if (std::find(built.references.begin(), built.references.end(), index) !=
            built.references.end()) {
            errors.add(diagnostic_at(n, "experiment.reference lists '" + *it + "' twice"));
            return;
        }
        built.references.push_back(index);
    };
    if (const toml::array* arr = ref.as_array()) {
        built.reference_is_list = true;
        if (arr->empty())
            errors.add(diagnostic_at(ref, "experiment.reference must be a policy name or a "
                                          "non-empty array of policy names"));
        for (const auto& el : *arr)
            one(el);
        return;
    }
    one(ref);
}

/// [policies], [experiment] policies and reference, [policy_sweeps]: the policies that run, in
/// order (those selected, then each sweep's cells). False after a problem.
bool read_policies(const ModelDefinition& d, const ModelSource& src, int start, int end,
                   std::vector<model::Policy>& policies, BuiltModel& built,
                   DiagnosticList& errors) {
    if (src.policies == nullptr || src.policies->empty()) {
        errors.add(src.file, 0, 0,
                   "model '" + d.name + "' needs at least one [policies.<name>] table");
        return false;
    }
    // Policies are checked even after errors elsewhere (every problem in one pass); only a
    // malformed [policies] table itself stops here.
    const std::size_t errors_before_policies = errors.size();
    std::vector<std::string> order = src.policy_order;
    for (const auto& [key, value] : *src.policies) { // first defined with --set: last
        if (std::find(order.begin(), order.end(), key.str()) == order.end())
            order.emplace_back(key.str());
        const bool ok_name = !key.str().empty() && key.str().front() != '.' &&
                             std::all_of(key.str().begin(), key.str().end(), [](char ch) {
                                 return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ||
                                        ch == '-' || ch == '.';
                             });
        if (!ok_name)
            errors.add(diagnostic_at(key, "policy name '" + std::string(key.str()) +
                                              "' becomes an HDF5 group name: use letters, "
                                              "digits, '-', '_' and '.' only"));
        if (!value.is_table())
            errors.add(diagnostic_at(key, "policies." + std::string(key.str()) +
                                              " must be a table of lever settings"));
    }
    if (errors.size() != errors_before_policies)
        return false;
    const toml::node* selection = src.experiment ? src.experiment->get("policies") : nullptr;
    if (selection != nullptr) {
        const toml::array* arr = selection->as_array();
        if (arr == nullptr || arr->empty()) {
            errors.add(diagnostic_at(*selection, "experiment.policies must be a non-empty array of "
                                                 "policy names"));
            return false;
        }
        order.clear();
        for (const auto& el : *arr) {
            if (!el.is_string()) {
                errors.add(diagnostic_at(el, "experiment.policies entries must be policy names"));
                continue;
            }
            const std::string name = el.as_string()->get();
            if (src.policies->get(name) == nullptr) {
                std::vector<std::string_view> defined;
                for (const auto& [k, v] : *src.policies)
                    defined.push_back(k.str());
                std::string msg = "experiment.policies: no policy '" + name + "' is defined";
                if (const auto guess = closest_match(name, defined))
                    msg += "; did you mean '" + *guess + "'?";
                errors.add(diagnostic_at(el, msg));
                continue;
            }
            if (std::find(order.begin(), order.end(), name) != order.end()) {
                errors.add(diagnostic_at(el, "experiment.policies lists '" + name + "' twice"));
                continue;
            }
            order.push_back(name);
        }
    }
    // Sweeps: their bases are loaded with the running policies (each problem reported once),
    // and each cell is its base with the swept levers set for every year.
    if (src.policy_sweeps != nullptr)
        built.policy_sweeps =
            read_policy_sweeps(*src.policy_sweeps, *src.policies, order, d.levers, errors);
    std::vector<std::string> to_load = order;
    for (const auto& sweep : built.policy_sweeps)
        if (std::find(to_load.begin(), to_load.end(), sweep.based_on) == to_load.end())
            to_load.push_back(sweep.based_on);
    auto loaded = load_policies(*src.policies, to_load, d.levers, start, end, errors);
    for (auto& p : loaded)
        if (std::find(order.begin(), order.end(), p.name) != order.end())
            policies.push_back(p);
    for (const auto& sweep : built.policy_sweeps) {
        const auto base = std::find_if(loaded.begin(), loaded.end(),
                                       [&](const auto& p) { return p.name == sweep.based_on; });
        for (const auto& cell : sweep.cells) {
            order.push_back(cell.policy);
            if (base == loaded.end())
                continue; // the base's problem is reported
            model::Policy policy = *base;
            policy.name = cell.policy;
            for (std::size_t a = 0; a < sweep.axes.size(); ++a)
                policy.by_year[sweep.axes[a].lever].assign(
                    static_cast<std::size_t>(end - start + 1), cell.coordinates[a]);
            policies.push_back(std::move(policy));
        }
    }
    if (const toml::node* ref = src.experiment ? src.experiment->get("reference") : nullptr)
        read_references(*ref, order, built, errors);
    return errors.size() == errors_before_policies;
}

nlohmann::json settings_json(const model::SettingValues& values) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, value] : values.all())
        std::visit([&, n = name](const auto& v) { j[n] = v; }, value);
    return j;
}

nlohmann::json levers_json(const ModelDefinition& d, const std::vector<model::Policy>& policies) {
    nlohmann::json levers = nlohmann::json::object();
    for (const auto& p : policies) {
        nlohmann::json lp = nlohmann::json::object();
        for (std::size_t l = 0; l < d.levers.size(); ++l) {
            nlohmann::json values = nlohmann::json::array();
            for (const double v : p.by_year[l])
                values.push_back(std::isinf(v) ? nlohmann::json("inf") : nlohmann::json(v));
            lp[d.levers[l].name] = values;
        }
        levers[p.name] = lp;
    }
    return levers;
}

} // namespace

BuiltModel make_model(const ModelSource& src, const random::ParameterSpace& parameters,
                      DiagnosticList& errors) {
    const std::string name = src.name_node.value_or(std::string{});
    const auto& registry = model::model_registry();
    const model::RegisteredModel* registered = registry.find(name);
    if (registered == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& m : registry.models())
            names.push_back(m.definition->name);
        std::string msg = "unknown model '" + name + "'";
        if (const auto guess = closest_match(name, names))
            msg += "; did you mean '" + *guess + "'?";
        else
            msg += "; models: " + listed(names) +
                   " (a model of your own is loaded with [experiment] plugins)";
        errors.add(diagnostic_at(src.name_node, msg));
        return {};
    }
    const ModelDefinition& d = *registered->definition;
    const std::size_t before = errors.size();
    if (d.levers.empty())
        reject_policies(d, src, errors);

    model::ModelArguments args;
    const bool settings_ok = read_settings(d, src, args.settings, errors);
    const bool parameters_ok = match_parameters(d, src, parameters, args.parameter_index, errors);
    if (settings_ok && d.check) {
        std::vector<std::string> sampled;
        for (const auto& p : parameters.parameters())
            sampled.push_back(p.name);
        for (const auto& problem : d.check(args.settings, sampled)) {
            const toml::node* setting =
                problem.at == model::ModelProblem::At::setting && src.settings != nullptr
                    ? src.settings->get(problem.name)
                    : nullptr;
            if (problem.at == model::ModelProblem::At::parameter)
                errors.add(
                    at_parameter(src.parameters, src.name_node, problem.name, problem.message));
            else
                errors.add(diagnostic_at(setting ? *setting : src.name_node, problem.message));
        }
    }
    if (settings_ok && d.years)
        args.years = d.years(args.settings);
    if (errors.size() != before && !d.levers.empty() && (args.years.empty() || !settings_ok))
        return {}; // the policies' years are not known
    BuiltModel built;
    if (!d.levers.empty()) {
        if (args.years.empty()) {
            errors.add(diagnostic_at(src.name_node, "model '" + d.name + "' has no model years"));
            return {};
        }
        if (!read_policies(d, src, args.years.front(), args.years.back(), args.policies, built,
                           errors))
            return {};
    }
    if (errors.size() != before || !parameters_ok)
        return {};
    built.resolved_settings = settings_json(args.settings);
    if (!d.levers.empty())
        built.resolved_settings["policy_levers_by_year"] = levers_json(d, args.policies);
    try {
        built.model = d.build(args);
    } catch (const std::exception& e) {
        errors.add(
            diagnostic_at(src.name_node, "model '" + d.name + "' could not be built: " + e.what()));
        return {};
    }
    // What the model reports must be what it declared: the file's layout is made from it.
    std::string mismatch;
    if (!built.model)
        mismatch = "its build function returned no model";
    else if (built.model->outputs().size() != d.outputs.size())
        mismatch = "it has " + std::to_string(built.model->outputs().size()) +
                   " outputs, but its definition declares " + std::to_string(d.outputs.size());
    else if (built.model->variant_count() != std::max<std::size_t>(args.policies.size(), 1))
        mismatch = "it has " + std::to_string(built.model->variant_count()) + " variants for " +
                   std::to_string(args.policies.size()) + " policies";
    else
        for (std::size_t k = 0; k < d.outputs.size() && mismatch.empty(); ++k)
            if (built.model->outputs()[k].name != d.outputs[k].name ||
                built.model->outputs()[k].per_year != d.outputs[k].per_year)
                mismatch = "its output " + std::to_string(k) + " is '" +
                           built.model->outputs()[k].name + "', but its definition declares '" +
                           d.outputs[k].name + "'";
    if (!mismatch.empty()) {
        errors.add(diagnostic_at(src.name_node, "model '" + d.name +
                                                    "' does not match its definition: " + mismatch +
                                                    " (" + registered->origin + ")"));
        return {};
    }
    built.definition = registered->definition;
    return built;
}

} // namespace chiprace::config
