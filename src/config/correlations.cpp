#include "chiprace/config/correlations.hpp"

#include "chiprace/config/toml_diagnostics.hpp"

#include <cmath>
#include <map>

namespace chiprace::config {

void read_correlations(const toml::table& root, Experiment& ex, DiagnosticList& errors) {
    const toml::node* node = root.get("correlations");
    if (node == nullptr)
        return;
    const toml::table* t = node->as_table();
    if (t == nullptr) {
        errors.add(diagnostic_at(*node, "'correlations' must be a table: a = { b = 0.5 }"));
        return;
    }
    if (ex.design == "saltelli" || ex.design == "morris") {
        errors.add(diagnostic_at(*node, "[correlations] cannot be used with design '" + ex.design +
                                            "': Sobol' indices and Morris effects assume "
                                            "independent inputs"));
        return;
    }
    std::vector<std::string_view> names;
    for (const auto& p : ex.parameters.parameters())
        names.push_back(p.name);
    auto index_of = [&](const toml::key& key) -> std::optional<std::size_t> {
        const auto i = ex.parameters.index_of(key.str());
        if (i < ex.parameters.dimension())
            return i;
        std::string msg = "[correlations]: '" + std::string(key.str()) + "' is not a parameter";
        if (const auto guess = closest_match(key.str(), names))
            msg += "; did you mean '" + *guess + "'?";
        errors.add(diagnostic_at(key, msg));
        return std::nullopt;
    };
    std::map<std::pair<std::size_t, std::size_t>, double> seen;
    std::vector<random::RankCorrelation> pairs;
    const std::size_t before = errors.size();
    for (const auto& [first_key, row] : *t) {
        const auto a = index_of(first_key);
        const toml::table* r = row.as_table();
        if (r == nullptr) {
            errors.add(diagnostic_at(row, "[correlations] " + std::string(first_key.str()) +
                                              " must be a table: { other_parameter = rho }"));
            continue;
        }
        for (const auto& [second_key, value] : *r) {
            const auto b = index_of(second_key);
            const auto rho = value.value<double>();
            if (!(value.is_floating_point() || value.is_integer()) || !rho ||
                !(std::abs(*rho) < 1.0)) {
                errors.add(diagnostic_at(value, "correlation of '" + std::string(first_key.str()) +
                                                    "' and '" + std::string(second_key.str()) +
                                                    "' must be a number in (-1, 1)"));
                continue;
            }
            if (!a || !b)
                continue;
            if (*a == *b) {
                errors.add(
                    diagnostic_at(second_key, "a parameter cannot be correlated with itself"));
                continue;
            }
            const auto key = std::minmax(*a, *b);
            if (const auto it = seen.find(key); it != seen.end()) {
                errors.add(diagnostic_at(
                    value, "the correlation of '" + std::string(first_key.str()) + "' and '" +
                               std::string(second_key.str()) + "' is given twice"));
                continue;
            }
            seen[key] = *rho;
            pairs.push_back({*a, *b, *rho});
            ex.correlations.push_back(
                {std::string(first_key.str()), std::string(second_key.str()), *rho});
        }
    }
    if (errors.size() != before || pairs.empty())
        return;
    auto made = random::GaussianCopula::make(ex.parameters.dimension(), pairs);
    if (const auto* failure = std::get_if<random::GaussianCopula::Failure>(&made)) {
        errors.add(diagnostic_at(*node, "[correlations] is not a valid correlation matrix (not "
                                        "positive definite): the correlation of '" +
                                            ex.parameters.parameters()[failure->first].name +
                                            "' and '" +
                                            ex.parameters.parameters()[failure->second].name +
                                            "' conflicts with the others; weaken it or them"));
        return;
    }
    ex.copula = std::make_shared<const random::GaussianCopula>(
        std::move(std::get<random::GaussianCopula>(made)));
}

} // namespace chiprace::config
