#include "chiprace/config/robustness_options.hpp"

#include "chiprace/config/group_name.hpp"
#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace chiprace::config {

namespace {

constexpr std::array<std::string_view, 1> robustness_keys{"objectives"};
constexpr std::array<std::string_view, 5> objective_keys{"output", "year", "better", "thresholds",
                                                         "name"};
constexpr const char* example =
    "{ output = \"frontier_gap_years\", year = 2030, better = \"higher\", thresholds = [1.0] }";

/// One objective table; nullopt after reporting what is wrong with it.
std::optional<RobustnessObjective> read_objective(const toml::node& el, const Experiment& ex,
                                                  DiagnosticList& errors) {
    const toml::table* t = el.as_table();
    if (t == nullptr) {
        errors.add(diagnostic_at(el, std::string("robustness.objectives: each objective must be "
                                                 "a table such as ") +
                                         example));
        return std::nullopt;
    }
    const std::size_t errors_before = errors.size();
    for (const auto& [key, value] : *t)
        if (std::find(objective_keys.begin(), objective_keys.end(), key.str()) ==
            objective_keys.end())
            errors.add(diagnostic_at(
                key, unknown_key_message(key.str(), "robustness.objectives", objective_keys)));
    RobustnessObjective o;
    const auto& outputs = ex.model->outputs();
    const auto years = ex.model->years();
    bool per_year = false;
    const toml::node* output = t->get("output");
    if (output == nullptr || !output->is_string()) {
        errors.add(diagnostic_at(output ? *output : el,
                                 "robustness.objectives: an objective needs output = \"<name>\" "
                                 "(one of the outputs of model " +
                                     ex.model_name + ")"));
    } else {
        std::vector<std::string_view> names;
        for (const auto& spec : outputs)
            names.push_back(spec.name);
        const auto& name = output->as_string()->get();
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            std::string msg =
                "robustness.objectives: '" + name + "' is not an output of model " + ex.model_name;
            if (auto m = closest_match(name, names))
                msg += "; did you mean '" + *m + "'?";
            errors.add(diagnostic_at(*output, msg));
        } else {
            o.output = static_cast<std::size_t>(it - names.begin());
            per_year = outputs[o.output].per_year;
        }
    }
    const toml::node* year = t->get("year");
    if (year != nullptr) {
        const auto y = year->value<std::int64_t>();
        if (!year->is_integer() || !y) {
            errors.add(diagnostic_at(*year, "robustness.objectives: year must be an integer"));
        } else if (errors.size() == errors_before && !per_year) {
            errors.add(diagnostic_at(*year, "robustness.objectives: '" + outputs[o.output].name +
                                                "' has one value per future, not one per year: "
                                                "leave out year"));
        } else if (per_year) {
            const auto at = std::find(years.begin(), years.end(), static_cast<int>(*y));
            if (at == years.end())
                errors.add(diagnostic_at(
                    *year, "robustness.objectives: year " + std::to_string(*y) +
                               " is outside the model's "
                               "horizon " +
                               std::to_string(years.front()) + "-" + std::to_string(years.back())));
            else {
                o.year = static_cast<int>(*y);
                o.year_index = static_cast<std::size_t>(at - years.begin());
            }
        }
    } else if (per_year) {
        errors.add(diagnostic_at(el, "robustness.objectives: '" + outputs[o.output].name +
                                         "' has one value per year: give year = <one of " +
                                         std::to_string(years.front()) + "-" +
                                         std::to_string(years.back()) + ">"));
    }
    const toml::node* better = t->get("better");
    const auto b = better ? better->value<std::string>() : std::nullopt;
    if (b == "higher")
        o.direction = stats::Direction::higher;
    else if (b == "lower")
        o.direction = stats::Direction::lower;
    else
        // No default: which way is better is the analyst's judgement, not the tool's.
        errors.add(diagnostic_at(better ? *better : el,
                                 "robustness.objectives: better must be \"higher\" or \"lower\" "
                                 "(which way this output is better for the analysis)"));
    if (const toml::node* th = t->get("thresholds")) {
        const toml::array* list = th->as_array();
        if (list == nullptr)
            errors.add(diagnostic_at(*th, "robustness.objectives: thresholds must be an array of "
                                          "finite numbers, e.g. [1.0, 2.0]"));
        else
            for (const auto& v : *list) {
                const auto x = toml_number(v);
                if (!x || !std::isfinite(*x))
                    errors.add(diagnostic_at(v, "robustness.objectives: each threshold must be a "
                                                "finite number"));
                else if (std::find(o.thresholds.begin(), o.thresholds.end(), *x) !=
                         o.thresholds.end())
                    errors.add(diagnostic_at(v, "robustness.objectives: threshold given twice"));
                else
                    o.thresholds.push_back(*x);
            }
    }
    if (const toml::node* n = t->get("name")) {
        if (!n->is_string() || !valid_group_name(n->as_string()->get()))
            errors.add(diagnostic_at(*n, "robustness.objectives: name must be a string of 1 to 64 "
                                         "letters, digits, '_', '-' or '.', not starting with "
                                         "'.'"));
        else
            o.name = n->as_string()->get();
    } else if (errors.size() == errors_before) {
        o.name = outputs[o.output].name + (o.year ? "_" + std::to_string(*o.year) : "");
    }
    if (errors.size() != errors_before)
        return std::nullopt;
    return o;
}

} // namespace

void read_robustness(const toml::table& root, Experiment& ex, DiagnosticList& errors) {
    const toml::node* node = root.get("robustness");
    if (node == nullptr || ex.model == nullptr)
        return;
    const toml::table* table = node->as_table();
    if (table == nullptr) {
        errors.add(diagnostic_at(*node, "robustness must be a table with objectives = [...]"));
        return;
    }
    for (const auto& [key, value] : *table)
        if (std::find(robustness_keys.begin(), robustness_keys.end(), key.str()) ==
            robustness_keys.end())
            errors.add(
                diagnostic_at(key, unknown_key_message(key.str(), "robustness", robustness_keys)));
    if (ex.model->variant_count() < 2) {
        errors.add(diagnostic_at(*node, "robustness compares policies future by future: model " +
                                            ex.model_name + " runs " +
                                            std::to_string(ex.model->variant_count()) +
                                            " (it needs at least two policies)"));
        return;
    }
    const toml::node* objectives = table->get("objectives");
    const toml::array* list = objectives ? objectives->as_array() : nullptr;
    if (list == nullptr || list->empty()) {
        errors.add(diagnostic_at(objectives ? *objectives : *node,
                                 std::string("robustness.objectives must be a non-empty array of "
                                             "tables such as ") +
                                     example));
        return;
    }
    for (const auto& el : *list) {
        auto o = read_objective(el, ex, errors);
        if (!o)
            continue;
        const auto same = std::find_if(ex.robustness.begin(), ex.robustness.end(),
                                       [&](const auto& other) { return other.name == o->name; });
        if (same != ex.robustness.end()) {
            errors.add(diagnostic_at(el, "robustness.objectives: two objectives are named '" +
                                             o->name + "'; give one another name = \"...\""));
            continue;
        }
        ex.robustness.push_back(std::move(*o));
    }
}

nlohmann::json robustness_json(const Experiment& ex) {
    auto list = nlohmann::json::array();
    for (const auto& o : ex.robustness) {
        nlohmann::json j{{"name", o.name},
                         {"output", ex.model->outputs()[o.output].name},
                         {"better", o.direction == stats::Direction::higher ? "higher" : "lower"},
                         {"thresholds", o.thresholds}};
        if (o.year)
            j["year"] = *o.year;
        list.push_back(std::move(j));
    }
    return {{"objectives", list}};
}

} // namespace chiprace::config
