// Unit tests of the fab_sme model through its definition, as chiprace sees it: cases computed
// by hand, monotonicity in the controls, conservation of the stock, and that a block gives
// the same bits as its samples one at a time (what makes results independent of the cut).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "chiprace/model/model_definition.hpp"

#include <cmath>
#include <cstddef>
#include <doctest/doctest.h>
#include <map>
#include <numbers>
#include <string>
#include <vector>

chiprace::model::ModelDefinition fab_sme_definition();

namespace {

namespace cm = chiprace::model;

constexpr int start_year = 2025;
constexpr int end_year = 2027;
constexpr std::size_t T = end_year - start_year + 1;

/// The parameters of a case by name; the tests start from a simple future and change a few.
using Values = std::map<std::string, double>;

Values simple_future() {
    return {{"wafer_starts_2025", 10.0},    {"planned_additions", 5.0},
            {"import_share_2025", 0.5},     {"domestic_substitution", 0.0},
            {"control_leakage", 0.0},       {"yield_2025", 0.5},
            {"yield_mature", 0.5},          {"yield_learning", 0.5},
            {"ai_wafer_share", 0.5},        {"hbm_stacks_per_accelerator", 4.0},
            {"cn_hbm_2025", 1000.0},        {"cn_hbm_growth", 1.0},
            {"cn_hbm_max", 1e300},          {"hbm_imports", 0.0},
            {"h100e_per_accelerator", 1.0}, {"perf_growth", 1.0},
            {"depreciation", 0.0}};
}

struct Levers {
    double tools = 0.0;
    double enforcement = 1.0;
    double hbm = 0.0;
};

/// The model's outputs for a block of futures under one policy: out[name][k][i] for a series,
/// out[name][0][i] for a scalar.
using Results = std::map<std::string, std::vector<std::vector<double>>>;

Results run(const std::vector<Values>& futures, Levers levers, double die_area = 665.61) {
    const cm::ModelDefinition d = fab_sme_definition();
    cm::ModelArguments args;
    args.settings.set("start_year", std::int64_t{start_year});
    args.settings.set("end_year", std::int64_t{end_year});
    args.settings.set("die_area_mm2", die_area);
    args.settings.set("dies_per_accelerator", 2.0);
    args.years = d.years(args.settings);
    cm::Policy policy{"p",
                      {std::vector<double>(T, levers.tools),
                       std::vector<double>(T, levers.enforcement),
                       std::vector<double>(T, levers.hbm)}};
    args.policies = {policy};
    const std::size_t n = futures.size();
    std::vector<double> in(d.parameters.size() * n);
    for (std::size_t j = 0; j < d.parameters.size(); ++j) {
        args.parameter_index.push_back(j);
        for (std::size_t i = 0; i < n; ++i)
            in[j * n + i] = futures[i].at(d.parameters[j].name);
    }
    const auto model = d.build(args);
    std::vector<double> out(model->column_count() * n, -1.0);
    cm::OutputBlock block(out, n);
    model->evaluate(0, cm::InputBlock(in, n), block);
    Results r;
    for (std::size_t o = 0; o < d.outputs.size(); ++o) {
        const std::size_t columns = d.outputs[o].per_year ? T : 1;
        auto& series = r[d.outputs[o].name];
        for (std::size_t k = 0; k < columns; ++k) {
            const auto c = block.column(model->first_column(o) + k);
            series.emplace_back(c.begin(), c.end());
        }
    }
    return r;
}

double dies_per_wafer(double area) {
    return std::numbers::pi * 150.0 * 150.0 / area - std::numbers::pi * 300.0 / std::sqrt(2 * area);
}

} // namespace

TEST_CASE("fab_sme: the definition declares what chiprace needs") {
    const cm::ModelDefinition d = fab_sme_definition();
    CHECK(d.name == "fab_sme");
    CHECK(d.parameters.size() == 17);
    CHECK(d.levers.size() == 3);
    for (const auto& p : d.parameters) {
        CHECK_MESSAGE(!p.units.empty(), p.name);
        CHECK_MESSAGE(!p.description.empty(), p.name);
        if (!p.required)
            CHECK_MESSAGE(p.range.contains(p.neutral), p.name);
    }
    for (const auto& o : d.outputs) {
        CHECK_MESSAGE(!o.units.empty(), o.name);
        CHECK_MESSAGE(!o.description.empty(), o.name);
    }
    cm::SettingValues s;
    s.set("start_year", std::int64_t{2025});
    s.set("end_year", std::int64_t{2030});
    CHECK(d.years(s) == std::vector<int>{2025, 2026, 2027, 2028, 2029, 2030});
    CHECK(d.check(s, {}).empty());
    s.set("end_year", std::int64_t{2025});
    const auto problems = d.check(s, {});
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].name == "end_year");
}

TEST_CASE("fab_sme: no controls, dies bind (hand-computed)") {
    const auto r = run({simple_future()}, {});
    const double dpw = dies_per_wafer(665.61);
    CHECK(dpw == doctest::Approx(80.37).epsilon(1e-3)); // ~80 candidates of a 910B die
    for (std::size_t k = 0; k < T; ++k) {
        const double capacity = 10.0 + 5.0 * static_cast<double>(k); // every addition built
        // k wafers/month x 12 x 1e3 / 1e6 x AI share x dies/wafer x yield, two dies a chip.
        const double dies = capacity * 12e3 / 1e6 * 0.5 * dpw * 0.5;
        CHECK(r.at("wafer_starts")[k][0] == doctest::Approx(capacity));
        CHECK(r.at("yield")[k][0] == doctest::Approx(0.5));
        CHECK(r.at("ai_dies")[k][0] == doctest::Approx(dies));
        CHECK(r.at("hbm_stacks")[k][0] == doctest::Approx(1000.0));
        CHECK(r.at("accelerators")[k][0] == doctest::Approx(dies / 2));
        CHECK(r.at("cn_h100e")[k][0] == doctest::Approx(dies / 2));
        CHECK(r.at("hbm_bound")[k][0] == 0.0);
    }
    // 10 + 15 + 20 k wafers/month; no depreciation: the stock is the sum.
    const double total = 45.0 * 12e3 / 1e6 * 0.5 * dpw * 0.5 / 2;
    CHECK(r.at("cum_h100e")[0][0] == doctest::Approx(total));
    CHECK(r.at("cn_stock")[T - 1][0] == doctest::Approx(total));
}

TEST_CASE("fab_sme: HBM binds, imports cut by controls less leakage (hand-computed)") {
    Values v = simple_future();
    v["cn_hbm_2025"] = 0.4;
    v["hbm_imports"] = 0.6;
    v["control_leakage"] = 0.2;
    v["h100e_per_accelerator"] = 0.8;
    // Enforcement 2 halves leakage to 0.1: 0.5 x 0.9 = 45% of imports blocked.
    const auto r = run({v}, {0.0, 2.0, 0.5});
    const double stacks = 0.4 + 0.6 * (1 - 0.45);
    for (std::size_t k = 0; k < T; ++k) {
        CHECK(r.at("hbm_stacks")[k][0] == doctest::Approx(stacks));
        CHECK(r.at("accelerators")[k][0] == doctest::Approx(stacks / 4));
        CHECK(r.at("cn_h100e")[k][0] == doctest::Approx(0.8 * stacks / 4));
        CHECK(r.at("hbm_bound")[k][0] == 1.0);
        CHECK(r.at("ai_dies")[k][0] / 2 > stacks / 4);
    }
    // Without HBM controls all 0.6 M imported stacks arrive.
    const auto open = run({v}, {0.0, 2.0, 0.0});
    CHECK(open.at("hbm_stacks")[0][0] == doctest::Approx(1.0));
}

TEST_CASE("fab_sme: tool controls cut capacity and domestic HBM growth (hand-computed)") {
    Values v = simple_future();
    v["import_share_2025"] = 0.8;
    v["domestic_substitution"] = 0.25;
    v["control_leakage"] = 0.2;
    v["cn_hbm_2025"] = 1.0;
    v["cn_hbm_growth"] = 2.0;
    v["yield_2025"] = 0.3;
    v["yield_mature"] = 0.7;
    v["perf_growth"] = 1.5;
    const auto r = run({v}, {0.5, 1.0, 0.0});
    // Blocked share 0.5 x (1 - 0.2) = 0.4. Year 1: imported share 0.6, buildable 0.76;
    // year 2: 0.45, buildable 0.82.
    CHECK(r.at("wafer_starts")[0][0] == doctest::Approx(10.0));
    CHECK(r.at("wafer_starts")[1][0] == doctest::Approx(13.8));
    CHECK(r.at("wafer_starts")[2][0] == doctest::Approx(17.9));
    CHECK(r.at("hbm_stacks")[1][0] == doctest::Approx(1.76));
    CHECK(r.at("hbm_stacks")[2][0] == doctest::Approx(1.76 * 1.82));
    // Yield closes half the gap each year: 0.3, 0.5, 0.6.
    CHECK(r.at("yield")[1][0] == doctest::Approx(0.5));
    CHECK(r.at("yield")[2][0] == doctest::Approx(0.6));
    // Domestic HBM stops at its ceiling: ceiling 3, no controls, growth 2x: 1, 2, 3 (not 4).
    v["cn_hbm_max"] = 3.0;
    const auto capped = run({v}, {0.0, 1.0, 0.0});
    CHECK(capped.at("hbm_stacks")[1][0] == doctest::Approx(2.0));
    CHECK(capped.at("hbm_stacks")[2][0] == doctest::Approx(3.0));
    // Performance per chip grows 1.5x a year.
    for (std::size_t k = 0; k < T; ++k)
        CHECK(r.at("cn_h100e")[k][0] ==
              doctest::Approx(r.at("accelerators")[k][0] * std::pow(1.5, k)));
}

namespace {

/// A spread of futures for the properties below (deterministic, no random numbers).
std::vector<Values> spread_of_futures() {
    std::vector<Values> futures;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
            for (int c = 0; c < 3; ++c) {
                Values v = simple_future();
                v["wafer_starts_2025"] = 15.0 + 20.0 * a;
                v["planned_additions"] = 5.0 + 10.0 * b;
                v["import_share_2025"] = 0.4 + 0.25 * c;
                v["domestic_substitution"] = 0.05 * (a + b);
                v["control_leakage"] = 0.1 * c;
                v["yield_2025"] = 0.2 + 0.1 * b;
                v["yield_mature"] = 0.6 + 0.1 * c;
                v["ai_wafer_share"] = 0.2 + 0.2 * a;
                v["cn_hbm_2025"] = 0.5 + 1.5 * b;
                v["cn_hbm_growth"] = 1.2 + 0.9 * c;
                // Ceilings from just above the first year's output to far above it.
                v["cn_hbm_max"] = v["cn_hbm_2025"] * (1.1 + 4.0 * a);
                v["hbm_imports"] = 2.0 * a;
                v["h100e_per_accelerator"] = 0.5 + 0.15 * c;
                v["perf_growth"] = 1.0 + 0.1 * a;
                v["depreciation"] = 0.1 + 0.05 * (a + c);
                futures.push_back(v);
            }
    return futures;
}

} // namespace

TEST_CASE("fab_sme: more tool controls, or HBM controls, never give China more") {
    const auto futures = spread_of_futures();
    const std::size_t n = futures.size();
    for (const bool hbm_lever : {false, true}) {
        Results previous;
        bool any_cut = false;
        for (const double level : {0.0, 0.25, 0.5, 0.75, 1.0}) {
            const Levers levers = hbm_lever ? Levers{0.3, 1.0, level} : Levers{level, 1.0, 0.3};
            const auto r = run(futures, levers);
            if (!previous.empty())
                for (std::size_t i = 0; i < n; ++i) {
                    for (std::size_t k = 0; k < T; ++k) {
                        CHECK(r.at("wafer_starts")[k][i] <= previous.at("wafer_starts")[k][i]);
                        CHECK(r.at("hbm_stacks")[k][i] <= previous.at("hbm_stacks")[k][i]);
                        CHECK(r.at("cn_h100e")[k][i] <= previous.at("cn_h100e")[k][i]);
                        CHECK(r.at("cn_stock")[k][i] <= previous.at("cn_stock")[k][i]);
                    }
                    CHECK(r.at("cum_h100e")[0][i] <= previous.at("cum_h100e")[0][i]);
                    any_cut = any_cut || r.at("cum_h100e")[0][i] < previous.at("cum_h100e")[0][i];
                }
            previous = r;
        }
        CHECK_MESSAGE(any_cut, "the controls changed nothing");
    }
}

TEST_CASE("fab_sme: near its ceiling, domestic HBM still never grows with tighter controls") {
    // A ceiling that a fast-growing output reaches within the years: a logistic step would
    // overshoot it, and a slower path could then end higher than a faster one.
    std::vector<Values> futures;
    for (const double ceiling : {1.01, 1.1, 1.3, 1.6, 2.0, 3.0, 5.0})
        for (const double growth : {1.5, 2.2, 3.0}) {
            Values v = simple_future();
            v["import_share_2025"] = 0.9;
            v["cn_hbm_2025"] = 1.0;
            v["cn_hbm_max"] = ceiling;
            v["cn_hbm_growth"] = growth;
            futures.push_back(v);
        }
    Results previous;
    for (int step = 0; step <= 20; ++step) {
        const auto r = run(futures, {0.05 * step, 1.0, 0.0});
        for (std::size_t i = 0; i < futures.size(); ++i)
            for (std::size_t k = 0; k < T; ++k) {
                CHECK(r.at("hbm_stacks")[k][i] <= futures[i].at("cn_hbm_max"));
                if (!previous.empty())
                    CHECK(r.at("hbm_stacks")[k][i] <= previous.at("hbm_stacks")[k][i]);
            }
        previous = r;
    }
}

TEST_CASE("fab_sme: the stock is the sum of additions less depreciation") {
    const auto futures = spread_of_futures();
    const auto r = run(futures, {0.5, 1.5, 0.5});
    for (std::size_t i = 0; i < futures.size(); ++i) {
        const double d = futures[i].at("depreciation");
        double stock = 0.0, retired = 0.0;
        for (std::size_t k = 0; k < T; ++k) {
            retired += d * stock;
            stock = stock - d * stock + r.at("cn_h100e")[k][i];
            CHECK(r.at("cn_stock")[k][i] == doctest::Approx(stock).epsilon(1e-12));
        }
        CHECK(r.at("cn_stock")[T - 1][i] ==
              doctest::Approx(r.at("cum_h100e")[0][i] - retired).epsilon(1e-12));
        CHECK(r.at("cum_h100e")[0][i] > 0.0);
    }
}

TEST_CASE("fab_sme: a block gives the bits of its samples one at a time") {
    const auto futures = spread_of_futures();
    const auto block = run(futures, {0.6, 1.2, 0.4});
    for (std::size_t i = 0; i < futures.size(); ++i) {
        const auto one = run({futures[i]}, {0.6, 1.2, 0.4});
        for (const auto& [name, series] : one)
            for (std::size_t k = 0; k < series.size(); ++k)
                CHECK_MESSAGE(series[k][0] == block.at(name)[k][i], name);
    }
}

TEST_CASE("fab_sme: an optional parameter not sampled takes its neutral value") {
    const cm::ModelDefinition d = fab_sme_definition();
    Values v = simple_future();
    for (const auto& p : d.parameters)
        if (!p.required)
            v[p.name] = p.neutral;
    const auto sampled = run({v}, {0.5, 1.0, 0.5});
    // The same future with the optional parameters left out of the experiment.
    cm::ModelArguments args;
    args.settings.set("start_year", std::int64_t{start_year});
    args.settings.set("end_year", std::int64_t{end_year});
    args.settings.set("die_area_mm2", 665.61);
    args.settings.set("dies_per_accelerator", 2.0);
    args.years = d.years(args.settings);
    args.policies = {
        {"p",
         {std::vector<double>(T, 0.5), std::vector<double>(T, 1.0), std::vector<double>(T, 0.5)}}};
    std::vector<double> in;
    for (const auto& p : d.parameters) {
        if (p.required) {
            args.parameter_index.push_back(in.size());
            in.push_back(v.at(p.name));
        } else {
            args.parameter_index.push_back(cm::absent_parameter);
        }
    }
    const auto model = d.build(args);
    std::vector<double> out(model->column_count());
    cm::OutputBlock block(out, 1);
    model->evaluate(0, cm::InputBlock(in, 1), block);
    const std::size_t cum = d.outputs.size() - 1;
    CHECK(block.column(model->first_column(cum))[0] == sampled.at("cum_h100e")[0][0]);
}
