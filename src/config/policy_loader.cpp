#include "chiprace/config/policy_loader.hpp"

#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace chiprace::config {

namespace {

/// One lever's values for years start … end, or nothing after reporting why not.
std::optional<std::vector<double>> lever_values(const toml::node& node,
                                                const model::LeverSpec& lever,
                                                const std::string& where, int start, int end,
                                                DiagnosticList& errors) {
    const auto& rule = lever.range;
    const std::size_t years = static_cast<std::size_t>(end - start + 1);
    auto check = [&](const toml::node& n, double v) {
        if (rule.contains(v))
            return true;
        errors.add(diagnostic_at(n, where + " must be " + rule.what));
        return false;
    };
    if (const auto v = toml_number(node)) {
        if (!check(node, *v))
            return std::nullopt;
        return std::vector<double>(years, *v);
    }
    const toml::table* steps = node.as_table();
    if (steps == nullptr || steps->empty()) {
        errors.add(diagnostic_at(node, where + " must be a number, inf, or a year-step table "
                                               "such as { 2025 = 0.08, 2026 = 1.0 }"));
        return std::nullopt;
    }
    std::map<int, double> by_year;
    bool ok = true;
    for (const auto& [key, value] : *steps) {
        int year = 0;
        const auto text = key.str();
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
        if (ec != std::errc() || ptr != text.data() + text.size()) {
            errors.add(diagnostic_at(key, where + ": '" + std::string(text) +
                                              "' is not a year (keys of a year-step table are "
                                              "years)"));
            ok = false;
            continue;
        }
        if (year < start || year > end) {
            errors.add(diagnostic_at(key, where + ": year " + std::to_string(year) +
                                              " is outside the horizon " + std::to_string(start) +
                                              "-" + std::to_string(end)));
            ok = false;
            continue;
        }
        const auto v = toml_number(value);
        if (!v) {
            errors.add(diagnostic_at(value, where + " in " + std::to_string(year) +
                                                " must be a number or inf"));
            ok = false;
            continue;
        }
        if (!check(value, *v)) {
            ok = false;
            continue;
        }
        by_year[year] = *v;
    }
    if (!ok)
        return std::nullopt;
    std::vector<double> values(years);
    double current = by_year.begin()->second;
    for (int y = start; y <= end; ++y) {
        if (const auto it = by_year.find(y); it != by_year.end())
            current = it->second;
        values[static_cast<std::size_t>(y - start)] = current;
    }
    return values;
}

} // namespace

std::optional<std::string> lever_value_problem(const model::LeverSpec& lever, double value) {
    if (lever.range.contains(value))
        return std::nullopt;
    return lever.range.what;
}

std::vector<model::Policy> load_policies(const toml::table& policies,
                                         const std::vector<std::string>& order,
                                         std::span<const model::LeverSpec> levers, int start,
                                         int end, DiagnosticList& errors) {
    std::vector<std::string_view> names;
    for (const auto& lever : levers)
        names.push_back(lever.name);
    std::vector<std::string_view> allowed(names.begin(), names.end());
    allowed.push_back("based_on");
    allowed.push_back("description");

    std::map<std::string, model::Policy, std::less<>> done;
    std::vector<std::string> in_progress;
    std::set<std::string, std::less<>>
        failed; // reported once, not again by each policy based on it
    // Resolves one policy (and, first, the one it is based on); nullopt after an error.
    auto resolve = [&](auto& self, const std::string& name,
                       const toml::node* mention) -> const model::Policy* {
        if (const auto it = done.find(name); it != done.end())
            return &it->second;
        if (failed.count(name) != 0)
            return nullptr;
        const toml::node* node = policies.get(name);
        if (node == nullptr || !node->is_table()) {
            std::vector<std::string_view> defined;
            for (const auto& [k, v] : policies)
                defined.push_back(k.str());
            std::string msg = "no policy '" + name + "' is defined";
            if (const auto guess = closest_match(name, defined))
                msg += "; did you mean '" + *guess + "'?";
            if (mention != nullptr)
                errors.add(diagnostic_at(*mention, msg));
            else
                errors.add("", 0, 0, msg);
            return nullptr;
        }
        if (const auto loop = std::find(in_progress.begin(), in_progress.end(), name);
            loop != in_progress.end()) {
            // Every policy of the loop is reported: each needs its based_on looked at.
            std::string path;
            for (auto it = loop; it != in_progress.end(); ++it)
                path += *it + " -> ";
            path += name;
            for (auto it = loop; it != in_progress.end(); ++it)
                errors.add(diagnostic_at(*policies.get(*it),
                                         "policy '" + *it + "' is based on itself (" + path + ")"));
            return nullptr;
        }
        in_progress.push_back(name);
        const toml::table& t = *node->as_table();
        model::Policy policy;
        policy.name = name;
        policy.by_year.resize(levers.size());
        std::vector<char> set(levers.size(), 0);
        bool ok = true;
        if (const toml::node* base = t.get("based_on")) {
            if (!base->is_string()) {
                errors.add(diagnostic_at(*base, "policies." + name +
                                                    ".based_on must be the name "
                                                    "of another policy"));
                ok = false;
            } else if (const auto* parent = self(self, base->as_string()->get(), base)) {
                policy.by_year = parent->by_year;
                set.assign(levers.size(), 1);
            } else {
                ok = false;
                set.assign(levers.size(),
                           1); // the base's problem is reported; its levers are not missing here
            }
        }
        for (const auto& [key, value] : t) {
            const auto it = std::find(names.begin(), names.end(), key.str());
            if (it == names.end()) {
                if (key.str() != "based_on" && key.str() != "description") {
                    errors.add(diagnostic_at(
                        key, unknown_key_message(key.str(), "policies." + name, allowed)));
                    ok = false;
                }
                continue;
            }
            const auto lever = static_cast<std::size_t>(it - names.begin());
            set[lever] = true; // set, even if wrongly: one message per mistake
            auto values =
                lever_values(value, levers[lever],
                             "policies." + name + "." + std::string(key.str()), start, end, errors);
            if (!values) {
                ok = false;
                continue;
            }
            policy.by_year[lever] = std::move(*values);
        }
        for (std::size_t l = 0; l < levers.size(); ++l)
            if (!set[l] && !levers[l].required) // left out: its neutral value, every year
                policy.by_year[l].assign(static_cast<std::size_t>(end - start + 1),
                                         levers[l].neutral);
        for (std::size_t l = 0; l < levers.size(); ++l) {
            if (!set[l] && levers[l].required) {
                errors.add(diagnostic_at(*node, "policy '" + name + "' does not set lever '" +
                                                    std::string(names[l]) +
                                                    "' (set it, or start from another policy "
                                                    "with based_on)"));
                ok = false;
            }
        }
        in_progress.pop_back();
        if (!ok) {
            failed.insert(name);
            return nullptr;
        }
        return &done.emplace(name, std::move(policy)).first->second;
    };

    std::vector<model::Policy> out;
    for (const auto& name : order)
        if (const auto* p = resolve(resolve, name, nullptr))
            out.push_back(*p);
    return out;
}

} // namespace chiprace::config
