#include "chiprace/config/calibration_options.hpp"

#include "chiprace/config/group_name.hpp"
#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace chiprace::config {

namespace {

using Kind = stats::Observation::Kind;

constexpr std::array<std::string_view, 4> calibration_keys{"min_ess", "on_low_ess", "outputs",
                                                           "targets"};
constexpr std::array<std::string_view, 6> target_keys{"name",   "output",      "year",
                                                      "policy", "observation", "source"};
constexpr std::array<Kind, 3> kinds{Kind::normal, Kind::lognormal, Kind::interval};
constexpr std::array<std::string_view, 3> kind_names{"normal", "lognormal", "interval"};
constexpr std::array<std::string_view, 2> on_low_ess_values{"warn", "error"};
constexpr const char* kinds_help = "\"normal\" (mean, sd), \"lognormal\" (p05, p95) or "
                                   "\"interval\" (low, high, tolerance)";

/// The keys of an observation's numbers, in the order of Observation's a, b, c.
std::vector<std::string_view> number_keys(Kind kind) {
    switch (kind) {
    case Kind::normal:
        return {"mean", "sd"};
    case Kind::lognormal:
        return {"p05", "p95"};
    case Kind::interval:
        return {"low", "high", "tolerance"};
    }
    return {};
}

/// "a normal", "a lognormal", "an interval": the kind with its article.
std::string a_kind(Kind kind) {
    return (kind == Kind::interval ? "an " : "a ") + std::string(stats::Observation::name(kind));
}

std::string joined(const std::vector<std::string_view>& words) {
    std::string s;
    for (const auto w : words)
        s += (s.empty() ? "" : ", ") + std::string(w);
    return s;
}

/// The shortest text that reads back to x: "0.3", "1e-05", "-1".
std::string shortest(double x) {
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);
    return {buf.data(), r.ptr};
}

/// observation = "...": its kind, or nothing after reporting what is wrong.
std::optional<Kind> read_kind(const toml::table& t, const toml::node& el, DiagnosticList& errors) {
    const toml::node* node = t.get("observation");
    if (node == nullptr) {
        errors.add(diagnostic_at(el, std::string("calibration.targets: a target needs "
                                                 "observation = ") +
                                         kinds_help));
        return std::nullopt;
    }
    if (const auto name = node->value<std::string>(); name && node->is_string()) {
        for (std::size_t k = 0; k < kinds.size(); ++k)
            if (*name == kind_names[k])
                return kinds[k];
        std::string msg = "calibration.targets: unknown observation '" + *name + "'";
        if (const auto guess = closest_match(*name, kind_names))
            msg += "; did you mean '" + *guess + "'?";
        else
            msg += std::string("; expected ") + kinds_help;
        errors.add(diagnostic_at(*node, msg));
        return std::nullopt;
    }
    errors.add(diagnostic_at(*node, std::string("calibration.targets: observation must be ") +
                                        kinds_help));
    return std::nullopt;
}

/// Unknown keys of a target. The observation's kind decides which numbers belong; a key of
/// another kind gets its own message (a lognormal target given mean and sd, say).
void check_target_keys(const toml::table& t, std::optional<Kind> kind, DiagnosticList& errors) {
    std::vector<std::string_view> known(target_keys.begin(), target_keys.end());
    for (const Kind k : kinds)
        if (!kind || k == *kind)
            for (const auto key : number_keys(k))
                known.push_back(key);
    for (const auto& [key, value] : t) {
        if (std::find(known.begin(), known.end(), key.str()) != known.end())
            continue;
        std::optional<Kind> owner;
        for (const Kind k : kinds) {
            const auto keys = number_keys(k);
            if (std::find(keys.begin(), keys.end(), key.str()) != keys.end())
                owner = k;
        }
        if (owner)
            errors.add(diagnostic_at(key, "calibration.targets: '" + std::string(key.str()) +
                                              "' belongs to " + a_kind(*owner) + " observation; " +
                                              a_kind(*kind) + " one takes " +
                                              joined(number_keys(*kind))));
        else
            errors.add(
                diagnostic_at(key, unknown_key_message(key.str(), "calibration.targets", known)));
    }
}

/// The observation's numbers: each present and finite, and together a valid distribution.
std::optional<stats::Observation> read_observation(const toml::table& t, const toml::node& el,
                                                   Kind kind, DiagnosticList& errors) {
    const auto keys = number_keys(kind);
    std::array<double, 3> values{0.0, 0.0, 0.0};
    std::array<const toml::node*, 3> nodes{};
    bool complete = true;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        nodes[i] = t.get(keys[i]);
        if (nodes[i] == nullptr) {
            errors.add(diagnostic_at(el, "calibration.targets: " + std::string(keys[i]) +
                                             " is missing: " + a_kind(kind) +
                                             " observation needs " + joined(keys)));
            complete = false;
            continue;
        }
        const auto x = toml_number(*nodes[i]);
        if (!x || !std::isfinite(*x)) {
            errors.add(diagnostic_at(*nodes[i], "calibration.targets: " + std::string(keys[i]) +
                                                    " must be a finite number"));
            complete = false;
            continue;
        }
        values[i] = *x;
    }
    if (!complete)
        return std::nullopt;
    stats::Observation o{kind, values[0], values[1], values[2]};
    const std::size_t errors_before = errors.size();
    switch (kind) {
    case Kind::normal:
        if (!(o.b > 0.0))
            errors.add(diagnostic_at(*nodes[1], "calibration.targets: sd must be > 0 (got " +
                                                    shortest(o.b) + ")"));
        break;
    case Kind::lognormal:
        if (!(o.a > 0.0))
            errors.add(diagnostic_at(*nodes[0], "calibration.targets: p05 must be > 0: a lognormal "
                                                "observation is of a positive quantity (got " +
                                                    shortest(o.a) + ")"));
        else if (!(o.a < o.b))
            errors.add(
                diagnostic_at(*nodes[1], "calibration.targets: p95 must be greater than p05 (got "
                                         "p05 = " +
                                             shortest(o.a) + ", p95 = " + shortest(o.b) + ")"));
        break;
    case Kind::interval:
        if (!(o.a <= o.b))
            errors.add(diagnostic_at(
                *nodes[1], "calibration.targets: high must be >= low (got low = " + shortest(o.a) +
                               ", high = " + shortest(o.b) + ")"));
        if (!(o.c >= 0.0))
            errors.add(
                diagnostic_at(*nodes[2], "calibration.targets: tolerance must be >= 0 (0: a value "
                                         "outside [low, high] is impossible; got " +
                                             shortest(o.c) + ")"));
        break;
    }
    if (errors.size() != errors_before)
        return std::nullopt;
    return o;
}

/// output = "..." and year: the output's index and, for a series, the year's.
void read_output_and_year(const toml::table& t, const toml::node& el, const Experiment& ex,
                          CalibrationTarget& target, DiagnosticList& errors) {
    const auto& outputs = ex.model->outputs();
    const auto years = ex.model->years();
    std::optional<bool> per_year; // known once the output is
    const toml::node* output = t.get("output");
    if (output == nullptr || !output->is_string()) {
        errors.add(diagnostic_at(output ? *output : el,
                                 "calibration.targets: a target needs output = \"<name>\" (one of "
                                 "the outputs of model " +
                                     ex.model_name + ")"));
    } else {
        std::vector<std::string_view> names;
        for (const auto& spec : outputs)
            names.push_back(spec.name);
        const auto& name = output->as_string()->get();
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            std::string msg =
                "calibration.targets: '" + name + "' is not an output of model " + ex.model_name;
            if (const auto guess = closest_match(name, names))
                msg += "; did you mean '" + *guess + "'?";
            else
                msg += " (`chiprace models " + ex.model_name + "` lists them)";
            errors.add(diagnostic_at(*output, msg));
        } else {
            target.output = static_cast<std::size_t>(it - names.begin());
            per_year = outputs[target.output].per_year;
        }
    }
    const std::string horizon =
        years.empty() ? std::string()
                      : std::to_string(years.front()) + "-" + std::to_string(years.back());
    const toml::node* year = t.get("year");
    if (year == nullptr) {
        if (per_year.value_or(false))
            errors.add(diagnostic_at(el, "calibration.targets: '" + outputs[target.output].name +
                                             "' has one value per year: give year = <one of " +
                                             horizon + ">"));
        return;
    }
    const auto y = year->value<std::int64_t>();
    if (!year->is_integer() || !y) {
        errors.add(diagnostic_at(*year, "calibration.targets: year must be an integer"));
        return;
    }
    if (!per_year)
        return; // the output's problem is reported
    if (!*per_year) {
        errors.add(diagnostic_at(*year, "calibration.targets: '" + outputs[target.output].name +
                                            "' has one value per future, not one per year: "
                                            "leave out year"));
        return;
    }
    const auto at = std::find(years.begin(), years.end(), *y);
    if (at == years.end()) {
        errors.add(diagnostic_at(*year, "calibration.targets: year " + std::to_string(*y) +
                                            " is outside the model's horizon " + horizon));
        return;
    }
    target.year = static_cast<int>(*y);
    target.year_index = static_cast<std::size_t>(at - years.begin());
}

/// policy = "...": the variant whose value was observed. A model without policies has one
/// unnamed variant, and then there is nothing to name.
void read_policy(const toml::table& root, const toml::table& t, const toml::node& el,
                 const Experiment& ex, CalibrationTarget& target, DiagnosticList& errors) {
    const model::Model& m = *ex.model;
    const bool has_policies = m.variant_count() > 1 || !m.variant_name(0).empty();
    const toml::node* policy = t.get("policy");
    if (!has_policies) {
        if (policy != nullptr)
            errors.add(diagnostic_at(*policy, "calibration.targets: model " + ex.model_name +
                                                  " has no policies: leave out policy"));
        return;
    }
    std::vector<std::string> running;
    for (std::size_t v = 0; v < m.variant_count(); ++v)
        running.push_back(m.variant_name(v));
    const std::vector<std::string_view> names(running.begin(), running.end());
    if (policy == nullptr || !policy->is_string()) {
        errors.add(diagnostic_at(policy ? *policy : el,
                                 "calibration.targets: a target needs policy = \"<name>\", the "
                                 "policy that describes what actually happened (one of: " +
                                     joined(names) + ")"));
        return;
    }
    const auto& name = policy->as_string()->get();
    const auto it = std::find(running.begin(), running.end(), name);
    if (it != running.end()) {
        target.variant = static_cast<std::size_t>(it - running.begin());
        target.policy = name;
        return;
    }
    const toml::table* defined = root.get("policies") ? root.get("policies")->as_table() : nullptr;
    std::string msg;
    if (defined != nullptr && defined->get(name) != nullptr) {
        msg = "calibration.targets: policy '" + name +
              "' does not run (experiment.policies leaves it out); the observed policy must be "
              "one that runs: " +
              joined(names);
    } else {
        msg = "calibration.targets: '" + name + "' is not a policy of the experiment";
        if (const auto guess = closest_match(name, names))
            msg += "; did you mean '" + *guess + "'?";
        else
            msg += "; policies that run: " + joined(names);
    }
    errors.add(diagnostic_at(*policy, msg));
}

/// One [[calibration.targets]] entry; nullopt after reporting everything wrong with it.
std::optional<CalibrationTarget> read_target(const toml::table& root, const toml::node& el,
                                             const Experiment& ex, DiagnosticList& errors) {
    const toml::table* t = el.as_table();
    if (t == nullptr) {
        errors.add(diagnostic_at(el, "calibration.targets: each target must be a table "
                                     "([[calibration.targets]], or { output = ..., ... } inside "
                                     "targets = [...])"));
        return std::nullopt;
    }
    const std::size_t errors_before = errors.size();
    CalibrationTarget target;
    const auto kind = read_kind(*t, el, errors);
    check_target_keys(*t, kind, errors);
    if (kind)
        if (auto o = read_observation(*t, el, *kind, errors))
            target.observation = *o;
    read_output_and_year(*t, el, ex, target, errors);
    read_policy(root, *t, el, ex, target, errors);
    if (const toml::node* source = t->get("source")) {
        if (!source->is_string())
            errors.add(diagnostic_at(*source, "calibration.targets: source must be a string (where "
                                              "the observation comes from)"));
        else
            target.source = source->as_string()->get();
    }
    if (const toml::node* name = t->get("name")) {
        if (!name->is_string() || !valid_group_name(name->as_string()->get()))
            errors.add(diagnostic_at(*name, "calibration.targets: name must be a string of 1 to "
                                            "64 letters, digits, '_', '-' or '.', not starting "
                                            "with '.'"));
        else
            target.name = name->as_string()->get();
    } else if (errors.size() == errors_before) {
        target.name = ex.model->outputs()[target.output].name +
                      (target.year ? "_" + std::to_string(*target.year) : "");
    }
    if (errors.size() != errors_before)
        return std::nullopt;
    return target;
}

/// outputs = "all" or ["output", ...]: the outputs given posterior summaries.
/// Absent: decided by default_posterior_outputs once the targets are read.
void read_posterior_outputs(const toml::table& table, Experiment& ex, DiagnosticList& errors) {
    const toml::node* node = table.get("outputs");
    if (node == nullptr || ex.model == nullptr)
        return;
    const auto& outputs = ex.model->outputs();
    auto& chosen = ex.calibration.posterior_outputs;
    chosen.clear();
    if (node->is_string() && node->value<std::string>() == "all") {
        for (std::size_t k = 0; k < outputs.size(); ++k)
            chosen.push_back(k);
        ex.calibration.outputs_given = true;
        return;
    }
    const toml::array* list = node->as_array();
    if (list == nullptr) {
        errors.add(diagnostic_at(*node, "calibration.outputs must be \"all\" or an array of "
                                        "output names: the outputs given posterior summaries "
                                        "(every output keeps its prior summary)"));
        return;
    }
    std::vector<std::string_view> names;
    for (const auto& o : outputs)
        names.push_back(o.name);
    for (const auto& el : *list) {
        const auto name = el.value<std::string>();
        const auto at = name ? std::find(names.begin(), names.end(), *name) : names.end();
        if (at == names.end()) {
            std::string msg = "calibration.outputs: ";
            if (!name)
                msg += "each entry must be an output name";
            else {
                msg += "unknown output '" + *name + "'";
                if (const auto guess = closest_match(*name, names))
                    msg += "; did you mean '" + *guess + "'?";
            }
            errors.add(diagnostic_at(el, msg));
            continue;
        }
        chosen.push_back(static_cast<std::size_t>(at - names.begin()));
    }
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    ex.calibration.outputs_given = true;
}

/// Without `outputs`: the model's headline outputs, or every output of a model that names none.
void default_posterior_outputs(Experiment& ex) {
    auto& settings = ex.calibration;
    if (settings.outputs_given || ex.model == nullptr)
        return;
    const auto& outputs = ex.model->outputs();
    auto& chosen = settings.posterior_outputs;
    chosen.clear();
    const auto headline =
        ex.definition ? ex.definition->headline_outputs : std::vector<std::string>{};
    for (std::size_t k = 0; k < outputs.size(); ++k)
        if (headline.empty() ||
            std::find(headline.begin(), headline.end(), outputs[k].name) != headline.end())
            chosen.push_back(k);
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
}

} // namespace

void read_calibration(const toml::table& root, Experiment& ex, DiagnosticList& errors) {
    const toml::node* node = root.get("calibration");
    if (node == nullptr)
        return;
    const toml::table* table = node->as_table();
    if (table == nullptr) {
        errors.add(diagnostic_at(*node, "calibration must be a table: [calibration] with "
                                        "min_ess, on_low_ess and [[calibration.targets]]"));
        return;
    }
    CalibrationSettings& settings = ex.calibration;
    settings.enabled = true;
    for (const auto& [key, value] : *table)
        if (std::find(calibration_keys.begin(), calibration_keys.end(), key.str()) ==
            calibration_keys.end())
            errors.add(diagnostic_at(
                key, unknown_key_message(key.str(), "calibration", calibration_keys)));
    if (const toml::node* min_ess = table->get("min_ess")) {
        const auto x = toml_number(*min_ess);
        if (!x || !std::isfinite(*x) || !(*x > 0.0))
            errors.add(
                diagnostic_at(*min_ess, "calibration.min_ess must be a finite number > 0" +
                                            (x ? " (got " + shortest(*x) + ")" : std::string()) +
                                            ": the effective sample size below which the run "
                                            "warns"));
        else
            settings.min_ess = *x;
    }
    if (const toml::node* on_low = table->get("on_low_ess")) {
        const auto v = on_low->value<std::string>();
        if (on_low->is_string() && v == "warn") {
            settings.refuse_low_ess = false;
        } else if (on_low->is_string() && v == "error") {
            settings.refuse_low_ess = true;
        } else {
            std::string msg = "calibration.on_low_ess must be \"warn\" (warn, and write the "
                              "posterior) or \"error\" (write no posterior, exit code 1)";
            if (on_low->is_string())
                if (const auto guess = closest_match(*v, on_low_ess_values))
                    msg = "calibration.on_low_ess: unknown value '" + *v + "'; did you mean '" +
                          *guess + "'?";
            errors.add(diagnostic_at(*on_low, msg));
        }
    }
    read_posterior_outputs(*table, ex, errors);
    const toml::node* targets = table->get("targets");
    if (targets == nullptr) {
        default_posterior_outputs(ex);
        return; // valid: every weight is 1
    }
    const toml::array* list = targets->as_array();
    if (list == nullptr) {
        errors.add(diagnostic_at(*targets, "calibration.targets must be an array of tables: "
                                           "[[calibration.targets]] with output, year, policy, "
                                           "observation and its numbers"));
        return;
    }
    if (ex.model == nullptr)
        return; // the model's problem is reported; targets cannot be checked without it
    for (const auto& el : *list) {
        auto target = read_target(root, el, ex, errors);
        if (!target)
            continue;
        const auto same =
            std::find_if(settings.targets.begin(), settings.targets.end(),
                         [&](const auto& other) { return other.name == target->name; });
        if (same != settings.targets.end()) {
            errors.add(diagnostic_at(el, "calibration.targets: two targets are named '" +
                                             target->name + "'; give one another name = \"...\""));
            continue;
        }
        settings.targets.push_back(std::move(*target));
    }
    default_posterior_outputs(ex);
}

nlohmann::json calibration_json(const Experiment& ex) {
    const CalibrationSettings& settings = ex.calibration;
    auto list = nlohmann::json::array();
    for (const auto& t : settings.targets) {
        nlohmann::json j{{"name", t.name},
                         {"output", ex.model->outputs()[t.output].name},
                         {"policy", t.policy},
                         {"observation", stats::Observation::name(t.observation.kind)},
                         {"source", t.source}};
        if (t.year)
            j["year"] = *t.year;
        const auto keys = number_keys(t.observation.kind);
        const std::array<double, 3> values{t.observation.a, t.observation.b, t.observation.c};
        for (std::size_t i = 0; i < keys.size(); ++i)
            j[std::string(keys[i])] = values[i];
        list.push_back(std::move(j));
    }
    auto quantiles = nlohmann::json::array();
    for (const std::size_t k : settings.posterior_outputs)
        quantiles.push_back(ex.model->outputs()[k].name);
    return {{"min_ess", settings.min_ess},
            {"on_low_ess", settings.refuse_low_ess ? "error" : "warn"},
            {"outputs", quantiles},
            {"targets", list}};
}

} // namespace chiprace::config
