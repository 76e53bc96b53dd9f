#pragma once
// Runs compute_race on hand-made samples and policies, for the unit tests of versions 1 and 2.

#include "chiprace/model/compute_race.hpp"

#include <array>
#include <cmath>
#include <doctest/doctest.h>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chiprace::test {

using model::ComputeRace;
using model::Lever;
using model::Policy;

using Params = std::map<std::string, double>;
using Outputs = std::map<std::string, std::vector<double>>;

inline const nlohmann::json& hand_values() {
    static const nlohmann::json j = [] {
        std::ifstream in(CHIPRACE_TEST_DATA_DIR "/compute_race_hand_values.json");
        REQUIRE(in.good());
        return nlohmann::json::parse(in);
    }();
    return j;
}

inline double number(const nlohmann::json& v) {
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (s == "nan")
            return std::numeric_limits<double>::quiet_NaN();
        return s[0] == '-' ? -std::numeric_limits<double>::infinity()
                           : std::numeric_limits<double>::infinity();
    }
    return v.get<double>();
}

inline Params base_params() {
    Params p;
    for (const auto& [k, v] : hand_values()["params"].items())
        p[k] = number(v);
    return p;
}

inline Policy constant_policy(std::string name, std::size_t years, std::array<double, 9> levers) {
    Policy p;
    p.name = std::move(name);
    p.by_year.resize(model::lever_count);
    for (std::size_t l = 0; l < model::lever_count; ++l)
        p.by_year[l].assign(years, l < levers.size()
                                       ? levers[l]
                                       : model::lever_neutral_value(static_cast<Lever>(l)));
    return p;
}

// docs/model.md section 3.2.
inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr std::array<double, 9> diffusion_rule{0.15, 0.0166, 0.5, 1700, 1.0,
                                                      1.0,  0.3,    0.8, 0};
inline constexpr std::array<double, 9> nvidia{1.0, inf, 0, 1700, 1.0, 1.0, 0, 0.3, 0.15};

/// Runs the model on one sample per parameter set, years start … end, one policy.
inline std::vector<Outputs> run(const std::vector<Params>& samples, const Policy& policy,
                                int start = 2025, int end = 2027) {
    // Version-2 parameters a sample does not give are not sampled: neutral.
    const auto& names = model::compute_race_parameter_names();
    std::array<std::size_t, model::compute_race_parameter_count> index{};
    std::size_t given = 0;
    for (std::size_t j = 0; j < index.size(); ++j)
        index[j] = samples[0].count(std::string(names[j])) != 0 ? given++ : model::absent_parameter;
    const ComputeRace m(start, end, {policy}, index);
    const std::size_t n = samples.size();
    std::vector<double> in(given * n), out(m.column_count() * n);
    for (std::size_t j = 0; j < names.size(); ++j)
        if (index[j] != model::absent_parameter)
            for (std::size_t i = 0; i < n; ++i)
                in[index[j] * n + i] = samples[i].at(std::string(names[j]));
    model::OutputBlock ob(out, n);
    m.evaluate(0, model::InputBlock(in, n), ob);
    std::vector<Outputs> result(n);
    for (std::size_t k = 0; k < m.outputs().size(); ++k) {
        const auto& spec = m.outputs()[k];
        const std::size_t width = spec.per_year ? m.years().size() : 1;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t t = 0; t < width; ++t)
                result[i][spec.name].push_back(out[(m.first_column(k) + t) * n + i]);
    }
    return result;
}

inline Outputs run_one(const Params& p, const Policy& policy, int start = 2025, int end = 2027) {
    return run({p}, policy, start, end)[0];
}

/// A copy of a policy with some levers set to constants over every year.
inline Policy with_levers(Policy p, std::initializer_list<std::pair<Lever, double>> levers) {
    for (const auto& [lever, value] : levers)
        for (auto& v : p.by_year[static_cast<std::size_t>(lever)])
            v = value;
    return p;
}

inline bool close(double got, double want, double rel) {
    if (std::isnan(want))
        return std::isnan(got);
    if (std::isinf(want))
        return got == want;
    return std::abs(got - want) <= rel * std::max(std::abs(want), 1e-300);
}

} // namespace chiprace::test
