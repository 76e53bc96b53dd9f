// compute_race against its specification, docs/model.md: an independent implementation's numbers
// (tests/reference/compute_race_reference.py, written from the equations alone), conservation of
// chips, and the directions each lever must push.

#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/design/monte_carlo_design.hpp"
#include "chiprace/model/compute_race.hpp"
#include "compute_race_harness.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

using namespace chiprace;
using model::ComputeRace;
using model::Lever;
using model::Policy;

using namespace chiprace::test;

TEST_CASE("compute_race matches the independent reference to 1e-12, every output and year") {
    const auto& j = hand_values();
    const auto years = j["years"].size();
    REQUIRE(years == 3);
    int cases = 0;
    for (const auto& [name, c] : j["cases"].items()) {
        Params p;
        for (const auto& [k, v] : c["params"].items())
            p[k] = number(v);
        Policy policy;
        policy.name = name;
        policy.by_year.resize(model::lever_count);
        for (std::size_t l = 0; l < model::lever_count; ++l) {
            const std::string lever(model::lever_names()[l]);
            if (l >= model::required_lever_count && !c["levers"].contains(lever))
                policy.by_year[l].assign(years, model::lever_neutral_value(static_cast<Lever>(l)));
            else
                for (const auto& v : c["levers"][lever])
                    policy.by_year[l].push_back(number(v));
        }
        const auto got = run_one(p, policy, j["start"], j["end"]);
        // Every output the reference computes, and no output of the model it does not know.
        const auto& per_year = j["per_year_outputs"];
        const auto& scalars = j["scalar_outputs"];
        CHECK(got.size() == per_year.size() + scalars.size());
        for (const auto& list : {per_year, scalars})
            for (const auto& out : list) {
                INFO("case " << name << ", output " << out.get<std::string>());
                CHECK(c["outputs"].contains(out.get<std::string>()));
            }
        std::size_t compared = 0;
        for (const auto& [out, want] : c["outputs"].items()) {
            REQUIRE(got.count(out) == 1);
            const auto& g = got.at(out);
            const std::size_t width = want.is_array() ? want.size() : 1;
            REQUIRE(g.size() == width);
            for (std::size_t t = 0; t < width; ++t) {
                const double w = number(want.is_array() ? want[t] : want);
                INFO("case " << name << ", " << out << "[" << t << "]: got " << g[t] << ", want "
                             << w);
                CHECK(close(g[t], w, 1e-12));
                ++compared;
            }
        }
        CHECK(compared == per_year.size() * years + scalars.size());
        ++cases;
    }
    CHECK(cases >= 15); // the five of version 1 and the ten of version 2
}

TEST_CASE("chips are conserved: P = I_US + I_T2 + I_CNimp + F for every sample and year") {
    // 2,000 futures of version 1's priors under every policy of version 1's flagship: the
    // balance below is written with version 1's supply, price and revenue, which version 2's
    // defaults change (R&D-funded progress, power bound, legal product class); version 2's
    // conservation is checked in test_compute_race_v2.cpp.
    const auto ex = config::load_experiment(CHIPRACE_SOURCE_DIR "/experiments/model_v1.toml",
                                            {"experiment.samples=2000"});
    const design::MonteCarloDesign mc(ex.seed, ex.parameters.dimension());
    const std::size_t n = 2000, d = ex.parameters.dimension();
    std::vector<double> unit(d * n), values(d * n);
    mc.unit_points(0, n, unit);
    ex.parameters.to_values(unit, n, values);
    auto param = [&](const char* name, std::size_t i) {
        return values[ex.parameters.index_of(name) * n + i];
    };
    const auto& m = dynamic_cast<const ComputeRace&>(*ex.model);
    const std::size_t years = m.years().size();
    std::vector<double> out(m.column_count() * n);
    auto series = [&](const char* name, std::size_t k, std::size_t i) {
        for (std::size_t o = 0; o < m.outputs().size(); ++o)
            if (m.outputs()[o].name == name)
                return out[(m.first_column(o) + k) * n + i];
        FAIL("no output " << name);
        return 0.0;
    };
    double worst = 0;
    for (std::size_t v = 0; v < m.variant_count(); ++v) {
        model::OutputBlock ob(out, n);
        m.evaluate(v, model::InputBlock(values, n), ob);
        for (std::size_t i = 0; i < n; ++i) {
            const double keep = 1.0 - 1.0 / param("hardware_lifetime", i);
            double k_us = param("us_stock_2024", i), k_t2 = param("t2_stock_2024", i);
            for (std::size_t k = 0; k < years; ++k) {
                const double kd = static_cast<double>(k);
                const double e_us =
                    param("us_chip_perf_2025", i) * std::pow(param("us_chip_perf_growth", i), kd);
                const double price =
                    param("us_price_2025", i) / std::pow(param("price_performance_growth", i), kd);
                const double p_total = series("us_chips", k, i) * e_us;
                const double legal = series("cn_legal_imports", k, i);
                const double fee = m.policy(v).at(Lever::china_fee, k);
                const double forgone = p_total - fee * legal - series("revenue", k, i) / price;
                const double i_us = series("us_stock", k, i) - keep * k_us;
                const double i_t2 = series("t2_stock", k, i) - keep * k_t2;
                const double i_cn = legal + series("cn_smuggled", k, i);
                k_us = series("us_stock", k, i);
                k_t2 = series("t2_stock", k, i);
                const double err = std::abs(p_total - (i_us + i_t2 + i_cn + forgone)) / p_total;
                worst = std::max(worst, err);
            }
        }
    }
    INFO("largest relative imbalance " << worst);
    CHECK(worst < 1e-12);
}

TEST_CASE("directions: each lever and parameter pushes the way docs/model.md says") {
    const Params base = base_params();
    const auto dr = constant_policy("diffusion_rule", 3, diffusion_rule);

    SUBCASE("more leakage, more China stock") {
        Params more = base;
        more["leakage_rate"] *= 2;
        const auto a = run_one(base, dr), b = run_one(more, dr);
        for (std::size_t k = 0; k < 3; ++k) {
            CHECK(b.at("cn_smuggled")[k] > a.at("cn_smuggled")[k]);
            CHECK(b.at("cn_stock")[k] > a.at("cn_stock")[k]);
        }
    }
    SUBCASE("tighter Tier-2 caps, lower Tier-2 shipments") {
        auto tight = diffusion_rule;
        tight[1] /= 4; // tier2_country_cap
        tight[2] = 0;  // tier2_exempt_capacity
        const auto a = run_one(base, dr), b = run_one(base, constant_policy("tight", 3, tight));
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(b.at("t2_stock")[k] < a.at("t2_stock")[k]);
    }
    SUBCASE("more enforcement, less smuggling") {
        auto strong = diffusion_rule;
        strong[4] = 3.0; // enforcement
        const auto a = run_one(base, dr), b = run_one(base, constant_policy("strong", 3, strong));
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(b.at("cn_smuggled")[k] < a.at("cn_smuggled")[k]);
    }
    SUBCASE("a zero legal cap means no legal imports") {
        auto zero = diffusion_rule;
        zero[0] = 0;
        const auto b = run_one(base, constant_policy("zero", 3, zero));
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(b.at("cn_legal_imports")[k] == 0.0);
    }
    SUBCASE("the HBM bound binds: output follows HBM, and the stock runs dry") {
        Params scarce = base;
        scarce["cn_hbm_stockpile"] = 0.5;
        scarce["cn_hbm_domestic_2025"] = 0.1;
        scarce["cn_chips_2025"] = 0.9;
        const auto b = run_one(scarce, dr);
        // 2025: HBM available 0.5 + 0.1 = 0.6 M stacks, 8 per chip.
        CHECK(b.at("cn_domestic_chips")[0] == doctest::Approx(0.6 / 8).epsilon(1e-14));
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(b.at("cn_hbm_stock")[k] == 0.0);
        Params more_hbm = scarce;
        more_hbm["cn_hbm_domestic_2025"] = 0.2;
        CHECK(run_one(more_hbm, dr).at("cn_domestic")[0] > b.at("cn_domestic")[0]);
    }
    SUBCASE("room = 0: when legal sales meet China's demand, nothing is smuggled") {
        Params small = base;
        small["china_demand_share"] = 0.02; // demand 0.27 M < nvidia's legal cap of 1.0
        const auto b = run_one(small, constant_policy("nvidia", 3, nvidia));
        for (std::size_t k = 0; k < 3; ++k) {
            CHECK(b.at("cn_smuggled")[k] == 0.0);
            CHECK(b.at("cn_legal_imports")[k] > 0.0);
        }
        CHECK(b.at("cum_smuggled")[0] == 0.0);
    }
    SUBCASE("inf caps: every Tier-2 order ships, the count of capped countries is irrelevant") {
        auto open = diffusion_rule;
        open[1] = inf;
        Params fewer = base, more = base;
        fewer["tier2_capped_countries"] = 10;
        more["tier2_capped_countries"] = 30;
        const auto a = run_one(fewer, constant_policy("open", 3, open));
        const auto b = run_one(more, constant_policy("open", 3, open));
        auto huge = diffusion_rule;
        huge[1] = 1e9; // a finite cap that never binds ships the same
        const auto c = run_one(base, constant_policy("huge", 3, huge));
        for (std::size_t k = 0; k < 3; ++k) {
            CHECK(a.at("t2_stock")[k] == b.at("t2_stock")[k]);
            CHECK(a.at("t2_stock")[k] == doctest::Approx(c.at("t2_stock")[k]).epsilon(1e-14));
            CHECK(a.at("t2_stock")[k] > run_one(base, dr).at("t2_stock")[k]);
        }
    }
    SUBCASE("a NaN gap when US effective compute stops growing, and right-censoring") {
        Params stall = base;
        stall["algo_progress"] = 0.2;
        const auto b = run_one(stall, dr);
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(std::isnan(b.at("frontier_gap_years")[k]));
        CHECK(b.at("first_year_gap_below_1")[0] == 2028.0); // end + 1: never below one year
    }
}

TEST_CASE("policy levers step by year and hold until the next key") {
    const auto ex = config::load_experiment(
        CHIPRACE_SOURCE_DIR "/experiments/policy_comparison.toml", {"experiment.samples=10"});
    const auto& m = dynamic_cast<const ComputeRace&>(*ex.model);
    REQUIRE(m.variant_count() == 6);
    CHECK(m.variant_name(0) == "pre_diffusion");
    CHECK(m.variant_name(1) == "diffusion_rule");
    REQUIRE(ex.references.size() == 1);
    CHECK(ex.references.front() == 1);
    const auto& deals = m.policy(4);
    CHECK(deals.name == "rescission_deals");
    CHECK(deals.at(Lever::china_legal_cap, 0) == 0.08);
    CHECK(deals.at(Lever::china_legal_cap, 1) == 1.0);
    CHECK(deals.at(Lever::china_legal_cap, 10) == 1.0);
    CHECK(deals.at(Lever::china_fee, 0) == 0.15);
    CHECK(deals.at(Lever::china_fee, 5) == 0.25);
    CHECK(std::isinf(deals.at(Lever::tier2_country_cap, 3)));
    CHECK(m.years().front() == 2025);
    CHECK(m.years().back() == 2035);
}
