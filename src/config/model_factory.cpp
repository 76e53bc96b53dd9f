#include "chiprace/config/model_factory.hpp"

#include "chiprace/config/policy_loader.hpp"
#include "chiprace/config/toml_diagnostics.hpp"
#include "chiprace/model/compute_race.hpp"
#include "chiprace/model/failure_box.hpp"
#include "chiprace/model/ishigami.hpp"
#include "chiprace/model/sobol_g.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

namespace chiprace::config {

namespace {

constexpr std::array<std::string_view, 4> model_names{"compute_race", "failure_box", "ishigami",
                                                      "sobol_g"};

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
                return diagnostic_at_entry(key, node, std::move(message));
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

/// [model] lower = [...], upper = [...] (one per parameter, in order), flip = 0.
std::shared_ptr<const model::Model>
make_failure_box(const toml::node& name_node, const toml::table* settings,
                 const random::ParameterSpace& space, DiagnosticList& errors,
                 std::vector<double>& lower, std::vector<double>& upper, double& flip) {
    constexpr std::array<std::string_view, 3> known{"lower", "upper", "flip"};
    reject_unknown_settings(settings, known, "failure_box", errors);
    bool ok = true;
    auto limits = [&](const char* key, std::vector<double>& out) {
        const toml::node* node = settings ? settings->get(key) : nullptr;
        const toml::array* arr = node ? node->as_array() : nullptr;
        if (arr == nullptr) {
            errors.add(diagnostic_at(node ? *node : name_node,
                                     "model 'failure_box' needs [model] " + std::string(key) +
                                         " = [...], one number per parameter"));
            ok = false;
            return;
        }
        for (const auto& el : *arr) {
            const auto v = el.value<double>();
            if (!v || !(el.is_integer() || el.is_floating_point()) || !std::isfinite(*v)) {
                errors.add(diagnostic_at(el, "[model] " + std::string(key) +
                                                 ": each entry must be a finite number"));
                ok = false;
                continue;
            }
            out.push_back(*v);
        }
        if (arr->size() != space.dimension()) {
            errors.add(diagnostic_at(
                *node, "model 'failure_box' has one limit per parameter in " + std::string(key) +
                           " (" + std::to_string(arr->size()) + "), but [parameters] lists " +
                           std::to_string(space.dimension())));
            ok = false;
        }
    };
    limits("lower", lower);
    limits("upper", upper);
    flip = number_setting(settings, "flip", 0.0, errors);
    if (!(flip >= 0.0 && flip < 0.5)) {
        errors.add(
            diagnostic_at(settings && settings->get("flip") ? *settings->get("flip") : name_node,
                          "[model] flip must be in [0, 0.5)"));
        ok = false;
    }
    for (std::size_t k = 0; ok && k < lower.size(); ++k)
        if (!(lower[k] <= upper[k])) {
            errors.add(diagnostic_at(name_node, "[model] lower must not exceed upper (entry " +
                                                    std::to_string(k) + ")"));
            ok = false;
        }
    if (!ok)
        return nullptr;
    std::vector<std::size_t> inputs(lower.size());
    for (std::size_t k = 0; k < inputs.size(); ++k)
        inputs[k] = k; // paired with parameters in the order listed
    return std::make_shared<model::FailureBox>(lower, upper, std::move(inputs), flip);
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

/// Where a parameter's value may lie for the equations to make sense (docs/model.md section 4).
struct ParameterBound {
    double low, high;
    bool low_exclusive;
    const char* what;
};

ParameterBound bound_of(std::string_view name) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    static const std::array<std::string_view, 21> shares{
        "china_demand_share",    "tier2_demand_share", "tier2_lpp_share",
        "reallocation_rate",     "leakage_rate",       "lpp_leakage_rate",
        "direct_leakage_rate",   "cloud_access_share", "cn_yield_max",
        "us_largest_share",      "cn_largest_share",   "mfu",
        "cn_yield_2025",         "trusted_leak_mult",  "trusted_us_operated",
        "t2_switch_rate",        "t2_cn_aligned_2024", "cn_export_share_max",
        "cn_stack_cloud_access", "cn_mandate_share",   "cn_domestic_share_2024"};
    static const std::array<std::string_view, 24> positive{"smuggling_capacity_2025",
                                                           "smuggling_capacity_growth",
                                                           "us_units_growth",
                                                           "us_chip_perf_growth",
                                                           "price_performance_growth",
                                                           "cn_chips_growth",
                                                           "cn_hbm_growth",
                                                           "cn_chip_perf_growth",
                                                           "algo_progress",
                                                           "us_chip_perf_2025",
                                                           "us_price_2025",
                                                           "cn_yield_halflife",
                                                           "cn_hbm_per_chip",
                                                           "cn_chip_perf_2025",
                                                           "cn_algo_factor",
                                                           "cn_yield_2025",
                                                           "us_power_2025",
                                                           "us_power_growth",
                                                           "kw_per_h100e_2025",
                                                           "energy_efficiency_growth",
                                                           "cn_domestic_inference_mult",
                                                           "cn_inference_mult_2024",
                                                           "us_units_growth_halflife",
                                                           "cn_output_growth_halflife"};
    if (name == "cn_yield_2025") // a share that is also a divisor (the yield formula)
        return {0, 1, true, "a share in (0, 1]"};
    if (std::find(shares.begin(), shares.end(), name) != shares.end())
        return {0, 1, false, "a share in [0, 1]"};
    if (name == "hardware_lifetime") // δ = 1/lifetime must not exceed 1
        return {1, inf, false, "at least 1 year"};
    if (std::find(positive.begin(), positive.end(), name) != positive.end())
        return {0, inf, true, "positive"};
    return {0, inf, false, "non-negative"};
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

BuiltModel make_compute_race(const ModelSource& src, const random::ParameterSpace& space,
                             DiagnosticList& errors) {
    constexpr std::array<std::string_view, 2> known{"start_year", "end_year"};
    reject_unknown_settings(src.settings, known, "compute_race", errors);
    auto year_setting = [&](std::string_view key, int fallback) {
        const toml::node* node = src.settings ? src.settings->get(key) : nullptr;
        if (node == nullptr)
            return fallback;
        if (!node->is_integer() || node->as_integer()->get() < 1900 ||
            node->as_integer()->get() > 3000) {
            errors.add(diagnostic_at(*node, "[model] " + std::string(key) +
                                                " must be a calendar year (an integer)"));
            return fallback;
        }
        return static_cast<int>(node->as_integer()->get());
    };
    const int start = year_setting("start_year", 2025);
    const int end = year_setting("end_year", 2035);
    if (end <= start) {
        const toml::node* where = src.settings ? src.settings->get("end_year") : nullptr;
        errors.add(where
                       ? diagnostic_at(*where, "[model] end_year must be after start_year")
                       : diagnostic_at(src.name_node, "[model] end_year must be after start_year"));
        return {};
    }

    // Parameters: every required one (docs/model.md section 4), any optional one (section 9;
    // neutral when not sampled), nothing else, each within its bounds.
    const auto& names = model::compute_race_parameter_names();
    std::array<std::size_t, model::compute_race_parameter_count> index{};
    std::vector<std::string> missing;
    for (std::size_t j = 0; j < names.size(); ++j) {
        index[j] = space.index_of(names[j]);
        if (index[j] != space.dimension())
            continue;
        index[j] = model::absent_parameter;
        if (j < model::compute_race_required_parameter_count)
            missing.emplace_back(names[j]);
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing)
            list += (list.empty() ? "" : ", ") + m;
        errors.add(diagnostic_at(
            src.name_node, "model 'compute_race' needs parameter(s) " + list +
                               " (include experiments/priors/default.toml for the defaults)"));
    }
    for (const auto& p : space.parameters()) {
        if (std::find(names.begin(), names.end(), p.name) == names.end()) {
            std::string msg = "model 'compute_race' has no parameter '" + p.name + "'";
            if (const auto guess = closest_match(p.name, names))
                msg += "; did you mean '" + *guess + "'?";
            errors.add(at_parameter(src.parameters, src.name_node, p.name, msg));
            continue;
        }
        const auto b = bound_of(p.name);
        const auto sup = p.distribution.support();
        const bool low_ok =
            sup.low > b.low || (sup.low == b.low && (sup.low_open || !b.low_exclusive));
        const bool ok = low_ok && sup.high <= b.high;
        if (!ok)
            errors.add(at_parameter(src.parameters, src.name_node, p.name,
                                    "parameter '" + p.name + "' must be " + b.what + ", but " +
                                        p.distribution.describe() + " can take values outside"));
    }
    // The power bound divides by the power each H100e draws (docs/model.md section 9.7).
    if (space.index_of("us_power_2025") != space.dimension() &&
        space.index_of("kw_per_h100e_2025") == space.dimension())
        errors.add(at_parameter(src.parameters, src.name_node, "us_power_2025",
                                "parameter 'us_power_2025' (the US power bound) needs "
                                "'kw_per_h100e_2025', the power one H100e draws"));

    // Policies: those selected (default: all, as written), and the reference.
    if (src.policies == nullptr || src.policies->empty()) {
        errors.add(src.file, 0, 0,
                   "model 'compute_race' needs at least one [policies.<name>] table");
        return {};
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
        return {};
    const toml::node* selection = src.experiment ? src.experiment->get("policies") : nullptr;
    if (selection != nullptr) {
        const toml::array* arr = selection->as_array();
        if (arr == nullptr || arr->empty()) {
            errors.add(diagnostic_at(*selection, "experiment.policies must be a non-empty array of "
                                                 "policy names"));
            return {};
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
    BuiltModel built;
    // Sweeps: their bases are loaded with the running policies (each problem reported once),
    // and each cell is its base with the swept levers set for every year.
    if (src.policy_sweeps != nullptr)
        built.policy_sweeps = read_policy_sweeps(*src.policy_sweeps, *src.policies, order, errors);
    std::vector<std::string> to_load = order;
    for (const auto& sweep : built.policy_sweeps)
        if (std::find(to_load.begin(), to_load.end(), sweep.based_on) == to_load.end())
            to_load.push_back(sweep.based_on);
    auto loaded = load_policies(*src.policies, to_load, start, end, errors);
    std::vector<model::Policy> policies;
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
                policy.by_year[static_cast<std::size_t>(sweep.axes[a].lever)].assign(
                    static_cast<std::size_t>(end - start + 1), cell.coordinates[a]);
            policies.push_back(std::move(policy));
        }
    }
    if (const toml::node* ref = src.experiment ? src.experiment->get("reference") : nullptr)
        read_references(*ref, order, built, errors);
    if (!errors.empty())
        return {};
    built.resolved_settings = {{"start_year", start}, {"end_year", end}};
    nlohmann::json levers = nlohmann::json::object();
    for (const auto& p : policies) {
        nlohmann::json lp = nlohmann::json::object();
        for (std::size_t l = 0; l < model::lever_count; ++l) {
            nlohmann::json values = nlohmann::json::array();
            for (const double v : p.by_year[l])
                values.push_back(std::isinf(v) ? nlohmann::json("inf") : nlohmann::json(v));
            lp[std::string(model::lever_names()[l])] = values;
        }
        levers[p.name] = lp;
    }
    built.resolved_settings["policy_levers_by_year"] = levers;
    built.model = std::make_shared<model::ComputeRace>(start, end, std::move(policies), index);
    return built;
}

} // namespace

std::span<const std::string_view> builtin_model_names() {
    return model_names;
}

BuiltModel make_model(const ModelSource& src, const random::ParameterSpace& parameters,
                      DiagnosticList& errors) {
    const std::string name = src.name_node.value_or(std::string{});
    if (name == "compute_race")
        return make_compute_race(src, parameters, errors);
    if (src.policies != nullptr)
        errors.add(diagnostic_at(*src.policies,
                                 "[policies] applies to models with policy levers (compute_race), "
                                 "not '" +
                                     name + "'"));
    if (src.policy_sweeps != nullptr)
        errors.add(diagnostic_at(*src.policy_sweeps,
                                 "[policy_sweeps] applies to models with policy levers "
                                 "(compute_race), not '" +
                                     name + "'"));
    for (const char* key : {"policies", "reference"})
        if (const toml::node* n = src.experiment ? src.experiment->get(key) : nullptr)
            errors.add(diagnostic_at(*n, "experiment." + std::string(key) +
                                             " applies to models with policies (compute_race), "
                                             "not '" +
                                             name + "'"));
    BuiltModel built;
    if (name == "ishigami") {
        built.model =
            make_ishigami(src.name_node, src.settings, src.parameters, parameters, errors);
        auto value = [&](const char* key, double fallback) {
            const toml::node* n = src.settings ? src.settings->get(key) : nullptr;
            return n ? n->value_or(fallback) : fallback;
        };
        built.resolved_settings = {{"a", value("a", 7.0)}, {"b", value("b", 0.1)}};
        return built;
    }
    if (name == "sobol_g") {
        built.model = make_sobol_g(src.name_node, src.settings, parameters, errors);
        if (built.model) {
            std::vector<double> a;
            for (const auto& el : *src.settings->get("a")->as_array())
                a.push_back(el.value_or(0.0));
            built.resolved_settings = {{"a", a}};
        }
        return built;
    }
    if (name == "failure_box") {
        std::vector<double> lower, upper;
        double flip = 0.0;
        built.model =
            make_failure_box(src.name_node, src.settings, parameters, errors, lower, upper, flip);
        if (built.model)
            built.resolved_settings = {{"lower", lower}, {"upper", upper}, {"flip", flip}};
        return built;
    }
    std::string msg = "unknown model '" + name + "'";
    if (const auto guess = closest_match(name, model_names))
        msg += "; did you mean '" + *guess + "'?";
    else
        msg += "; built-in models: compute_race, failure_box, ishigami, sobol_g";
    errors.add(diagnostic_at(src.name_node, msg));
    return {};
}

} // namespace chiprace::config
