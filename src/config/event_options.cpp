#include "chiprace/config/event_options.hpp"

#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace chiprace::config {

namespace {

using Comparison = model::OutputEvent::Comparison;

constexpr std::array<std::string_view, 7> event_keys{"output",  "above", "below", "at_least",
                                                     "at_most", "name",  "on"};
constexpr std::array<std::pair<std::string_view, Comparison>, 4> comparison_keys{{
    {"above", Comparison::greater},
    {"below", Comparison::less},
    {"at_least", Comparison::greater_equal},
    {"at_most", Comparison::less_equal},
}};

/// The shortest text that reads back to x: "0.25", "1e-05", "-1".
std::string shortest(double x) {
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);
    return {buf.data(), r.ptr};
}

/// Event names become HDF5 string values and command-line text: plain characters only.
bool valid_event_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
               c == '+';
    });
}

const char* comparison_word(Comparison c) {
    for (const auto& [word, cmp] : comparison_keys)
        if (cmp == c)
            return word.data();
    return "?";
}

const char* symbol(Comparison c) {
    switch (c) {
    case Comparison::less:
        return "<";
    case Comparison::less_equal:
        return "<=";
    case Comparison::greater:
        return ">";
    case Comparison::greater_equal:
        return ">=";
    }
    return "?";
}

} // namespace

void read_events(const toml::table& root, Experiment& ex, DiagnosticList& errors) {
    if (ex.model == nullptr)
        return;
    const auto& outputs = ex.model->outputs();
    for (std::size_t k = 0; k < outputs.size(); ++k)
        for (const auto& e : outputs[k].events)
            ex.events.push_back({k, e, true, false, true});
    const toml::node* out_node = root.get("output");
    const toml::node* node =
        out_node && out_node->is_table() ? out_node->as_table()->get("events") : nullptr;
    if (node == nullptr)
        return;
    const toml::array* list = node->as_array();
    if (list == nullptr) {
        errors.add(diagnostic_at(*node, "output.events must be an array of tables such as "
                                        "{ output = \"y\", above = 0.5 }"));
        return;
    }
    std::vector<std::string_view> names;
    for (const auto& o : outputs)
        names.push_back(o.name);
    for (const auto& el : *list) {
        const toml::table* t = el.as_table();
        if (t == nullptr) {
            errors.add(diagnostic_at(el, "output.events: each event must be a table such as "
                                         "{ output = \"y\", above = 0.5 }"));
            continue;
        }
        const std::size_t errors_before = errors.size();
        for (const auto& [key, value] : *t)
            if (std::find(event_keys.begin(), event_keys.end(), key.str()) == event_keys.end())
                errors.add(diagnostic_at(
                    key, unknown_key_message(key.str(), "output.events", event_keys)));
        EventSettings s;
        const toml::node* output = t->get("output");
        if (output == nullptr) {
            errors.add(diagnostic_at(el, "output.events: an event needs output = \"<name>\" (one "
                                         "of the outputs of model " +
                                             ex.model_name + ")"));
        } else if (!output->is_string()) {
            errors.add(diagnostic_at(*output, "output.events: output must be a string"));
        } else {
            const auto& name = output->as_string()->get();
            const auto it = std::find(names.begin(), names.end(), name);
            if (it == names.end()) {
                std::string msg =
                    "output.events: '" + name + "' is not an output of model " + ex.model_name;
                if (auto m = closest_match(name, names))
                    msg += "; did you mean '" + *m + "'?";
                errors.add(diagnostic_at(*output, msg));
            } else {
                s.output = static_cast<std::size_t>(it - names.begin());
            }
        }
        int comparisons = 0;
        for (const auto& [word, cmp] : comparison_keys) {
            const toml::node* v = t->get(word);
            if (v == nullptr)
                continue;
            ++comparisons;
            const auto x = toml_number(*v);
            if (!x || !std::isfinite(*x)) {
                errors.add(diagnostic_at(*v, "output.events: " + std::string(word) +
                                                 " must be a finite number (the threshold)"));
                continue;
            }
            s.event.comparison = cmp;
            s.event.threshold = *x;
        }
        if (comparisons != 1)
            errors.add(diagnostic_at(el, "output.events: an event needs exactly one of above "
                                         "(>), below (<), at_least (>=) or at_most (<=), with "
                                         "its threshold (got " +
                                             std::to_string(comparisons) + ")"));
        if (const toml::node* v = t->get("on")) {
            const auto on = v->value<std::string>();
            if (on == "outputs") {
                s.on_outputs = true;
            } else if (on == "contrasts") {
                s.on_outputs = false;
                s.on_contrasts = true;
            } else if (on == "both") {
                s.on_contrasts = true;
            } else {
                errors.add(diagnostic_at(*v, "output.events: on must be \"outputs\" (each "
                                             "policy's values), \"contrasts\" (each policy minus "
                                             "the reference) or \"both\""));
            }
            if (s.on_contrasts && ex.references.empty())
                errors.add(diagnostic_at(*v, "output.events: on = \"" + on.value_or("") +
                                                 "\" needs contrasts: set experiment.reference "
                                                 "(a model with policies)"));
        }
        if (const toml::node* v = t->get("name")) {
            if (!v->is_string() || !valid_event_name(v->as_string()->get()))
                errors.add(diagnostic_at(*v, "output.events: name must be a string of 1 to 64 "
                                             "letters, digits, '_', '-', '.' or '+'"));
            else
                s.event.name = v->as_string()->get();
        } else if (comparisons == 1) {
            s.event.name = std::string(comparison_word(s.event.comparison)) + "_" +
                           shortest(s.event.threshold);
        }
        if (errors.size() != errors_before)
            continue;
        s.event.description = outputs[s.output].name + " " + symbol(s.event.comparison) + " " +
                              shortest(s.event.threshold);
        const auto same = std::find_if(ex.events.begin(), ex.events.end(), [&](const auto& e) {
            return e.output == s.output && e.event.name == s.event.name;
        });
        if (same != ex.events.end()) {
            errors.add(diagnostic_at(el, "output.events: output '" + outputs[s.output].name +
                                             "' already has an event named '" + s.event.name + "'" +
                                             (same->from_model ? " (declared by the model)" : "") +
                                             "; give this one another name = \"...\""));
            continue;
        }
        ex.events.push_back(std::move(s));
    }
}

nlohmann::json events_json(const Experiment& ex) {
    auto j = nlohmann::json::array();
    for (const auto& e : ex.events)
        j.push_back({{"output", ex.model->outputs()[e.output].name},
                     {"name", e.event.name},
                     {"comparison", symbol(e.event.comparison)},
                     {"threshold", e.event.threshold},
                     {"on", e.on_outputs && e.on_contrasts ? "both"
                            : e.on_contrasts               ? "contrasts"
                                                           : "outputs"},
                     {"source", e.from_model ? "model" : "experiment"}});
    return j;
}

} // namespace chiprace::config
