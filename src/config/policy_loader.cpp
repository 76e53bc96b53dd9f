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

using model::Lever;

struct LeverRule {
    double min;
    double max;
    bool min_exclusive;
    bool allow_inf;
    const char* meaning;
};

LeverRule rule_of(Lever lever) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (lever) {
    case Lever::china_legal_cap:
        return {0, inf, false, true, "a cap (M H100e/yr) >= 0, or inf"};
    case Lever::tier2_country_cap:
        return {0, inf, false, true, "a cap (M H100e/yr per country) >= 0, or inf"};
    case Lever::tier2_exempt_capacity:
        return {0, inf, false, true, "a capacity (M H100e/yr) >= 0, or inf"};
    case Lever::lpp_threshold:
        return {0, inf, false, true, "a threshold (H100e per customer per year) >= 0, or inf"};
    case Lever::enforcement:
        return {0, inf, true, false, "a multiple of FY2024 enforcement resources > 0"};
    case Lever::leakage_multiplier:
        return {0, inf, false, false, "a finite multiplier >= 0"};
    case Lever::cloud_kyc:
    case Lever::stringency:
    case Lever::china_fee:
    case Lever::trusted_share:
        return {0, 1, false, false, "a share in [0, 1]"};
    case Lever::cn_import_accept:
    case Lever::cn_stack_deterrence:
        return {0, 1, false, false, "a share in [0, 1]"};
    case Lever::trusted_cap:
        return {0, inf, false, true, "a capacity (M H100e/yr) >= 0, or inf"};
    case Lever::uveu_share:
        return {0, inf, false, false, "a finite share of US and Tier-1 demand >= 0"};
    case Lever::legal_capacity_mult:
    case Lever::legal_price_mult:
        return {0, inf, true, false, "a finite multiplier > 0"};
    case Lever::legal_inference_mult:
        return {0, inf, false, false, "a finite multiplier >= 0"};
    case Lever::china_legal_share:
        return {0, inf, false, true, "a share of US and Tier-1 demand >= 0, or inf"};
    }
    return {0, inf, false, false, ""};
}

bool in_range(double v, const LeverRule& r) {
    if (std::isnan(v))
        return false;
    if (std::isinf(v))
        return r.allow_inf && v > 0;
    return (r.min_exclusive ? v > r.min : v >= r.min) && v <= r.max;
}

/// One lever's values for years start … end, or nothing after reporting why not.
std::optional<std::vector<double>> lever_values(const toml::node& node, Lever lever,
                                                const std::string& where, int start, int end,
                                                DiagnosticList& errors) {
    const auto rule = rule_of(lever);
    const std::size_t years = static_cast<std::size_t>(end - start + 1);
    auto check = [&](const toml::node& n, double v) {
        if (in_range(v, rule))
            return true;
        errors.add(diagnostic_at(n, where + " must be " + rule.meaning));
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

std::optional<std::string> lever_value_problem(model::Lever lever, double value) {
    const auto rule = rule_of(lever);
    if (in_range(value, rule))
        return std::nullopt;
    return std::string(rule.meaning);
}

std::vector<model::Policy> load_policies(const toml::table& policies,
                                         const std::vector<std::string>& order, int start, int end,
                                         DiagnosticList& errors) {
    const auto& names = model::lever_names();
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
        std::array<bool, model::lever_count> set{};
        bool ok = true;
        if (const toml::node* base = t.get("based_on")) {
            if (!base->is_string()) {
                errors.add(diagnostic_at(*base, "policies." + name +
                                                    ".based_on must be the name "
                                                    "of another policy"));
                ok = false;
            } else if (const auto* parent = self(self, base->as_string()->get(), base)) {
                policy.by_year = parent->by_year;
                set.fill(true);
            } else {
                ok = false;
                set.fill(true); // the base's problem is reported; its levers are not missing here
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
                lever_values(value, static_cast<Lever>(lever),
                             "policies." + name + "." + std::string(key.str()), start, end, errors);
            if (!values) {
                ok = false;
                continue;
            }
            policy.by_year[lever] = std::move(*values);
        }
        for (std::size_t l = model::required_lever_count; l < model::lever_count; ++l)
            if (!set[l]) // a version-2 lever left out: its neutral value, every year
                policy.by_year[l].assign(static_cast<std::size_t>(end - start + 1),
                                         model::lever_neutral_value(static_cast<Lever>(l)));
        for (std::size_t l = 0; l < model::required_lever_count; ++l) {
            if (!set[l]) {
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
