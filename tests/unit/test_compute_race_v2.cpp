// compute_race version 2 (docs/model.md section 9): each mechanism at its neutral values
// gives version 1's bits, chips and money are conserved with every mechanism active, and each
// new parameter and lever pushes the way the section says.

#include "chiprace/model/compute_race.hpp"
#include "compute_race_harness.hpp"

#include <cmath>
#include <cstring>
#include <doctest/doctest.h>

using namespace chiprace;
using namespace chiprace::test;
using model::Lever;

namespace {

/// Every output of a and b, bit for bit (NaN payloads included).
void check_same_bits(const Outputs& a, const Outputs& b) {
    REQUIRE(a.size() == b.size());
    for (const auto& [name, values] : a) {
        const auto& other = b.at(name);
        REQUIRE(values.size() == other.size());
        INFO(name);
        CHECK(std::memcmp(values.data(), other.data(), values.size() * sizeof(double)) == 0);
    }
}

} // namespace

TEST_CASE("version 2 at neutral values: version 1's bits, sampled or not") {
    const Params base = base_params();
    Params neutral = base;
    neutral["trusted_leak_mult"] = 0.3; // irrelevant while no policy opens a trusted channel
    neutral["trusted_us_operated"] = 0.8;
    neutral["smuggling_capacity_2025"] = inf; // sampled, but without a limit
    neutral["smuggling_capacity_growth"] = 1.7;
    neutral["us_units_growth_halflife"] = inf; // sampled, but growth that holds
    neutral["cn_output_growth_halflife"] = inf;
    for (const auto& levers : {diffusion_rule, nvidia}) {
        const auto policy = constant_policy("p", 11, levers);
        const auto a = run_one(base, policy, 2025, 2035);
        const auto b = run_one(neutral, policy, 2025, 2035);
        check_same_bits(a, b);
        // A trusted channel with no demand (share 0) and any cap is no channel.
        check_same_bits(
            a, run_one(neutral,
                       with_levers(policy, {{Lever::trusted_cap, 0.2}, {Lever::uveu_share, 0.33}}),
                       2025, 2035));
        // Neutral new outputs: US-controlled compute is the US stock.
        for (std::size_t k = 0; k < 11; ++k) {
            CHECK(a.at("us_controlled_stock")[k] == a.at("us_stock")[k]);
            CHECK(a.at("us_controlled_ratio")[k] == a.at("compute_ratio")[k]);
            CHECK(a.at("trusted_shipments")[k] == 0.0);
        }
    }
}

TEST_CASE("version 2: chips and money are conserved with the trusted channel and capacity on") {
    Params p = base_params();
    p["trusted_leak_mult"] = 0.25;
    p["trusted_us_operated"] = 0.8;
    p["smuggling_capacity_2025"] = 0.05; // binds from the first year
    p["smuggling_capacity_growth"] = 1.2;
    const auto policy =
        with_levers(constant_policy("deals", 6, diffusion_rule), {{Lever::trusted_share, 0.5},
                                                                  {Lever::trusted_cap, 0.4},
                                                                  {Lever::uveu_share, 0.05},
                                                                  {Lever::china_fee, 0.15}});
    const auto o = run_one(p, policy, 2025, 2030);
    const double keep = 1.0 - 1.0 / p["hardware_lifetime"];
    double k_us = p["us_stock_2024"], k_t2 = p["t2_stock_2024"];
    for (std::size_t k = 0; k < 6; ++k) {
        const double kd = static_cast<double>(k);
        const double price = p["us_price_2025"] / std::pow(p["price_performance_growth"], kd);
        const double e_us = p["us_chip_perf_2025"] * std::pow(p["us_chip_perf_growth"], kd);
        const double p_total = o.at("us_chips")[k] * e_us;
        const double legal = o.at("cn_legal_imports")[k];
        const double forgone = o.at("revenue_forgone")[k] / price - 0.15 * legal;
        const double i_us = o.at("us_stock")[k] - keep * k_us;
        const double i_t2 = o.at("t2_stock")[k] - keep * k_t2;
        k_us = o.at("us_stock")[k];
        k_t2 = o.at("t2_stock")[k];
        INFO("year " << 2025 + k);
        CHECK(
            p_total ==
            doctest::Approx(i_us + i_t2 + legal + o.at("cn_smuggled")[k] + forgone).epsilon(1e-12));
        // Revenue by destination adds up to the revenue, net of fees.
        CHECK(o.at("revenue")[k] ==
              doctest::Approx(o.at("revenue_us")[k] + o.at("revenue_tier2")[k] +
                              o.at("revenue_china")[k] - o.at("fees_paid")[k])
                  .epsilon(1e-12));
        CHECK(o.at("fees_paid")[k] == doctest::Approx(0.15 * o.at("revenue_china")[k]));
        // The capacity binds: smuggling is the network's capacity, not a share of US output.
        CHECK(o.at("cn_smuggled")[k] == doctest::Approx(0.05 * std::pow(1.2, kd)).epsilon(1e-12));
        CHECK(o.at("trusted_shipments")[k] > 0.0);
        CHECK(o.at("trusted_shipments")[k] <= 0.4 + 0.05 * p_total + 1e-12);
        CHECK(o.at("us_controlled_stock")[k] > o.at("us_stock")[k]);
        CHECK(o.at("us_controlled_stock")[k] < o.at("us_stock")[k] + o.at("t2_stock")[k]);
        const double sum = o.at("cn_self_sufficiency")[k] + o.at("cn_smuggled_share")[k] +
                           legal / (legal + o.at("cn_smuggled")[k] + o.at("cn_domestic")[k]);
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
        const double stack = o.at("us_stack_share")[k];
        CHECK(stack > 0.0);
        CHECK(stack < 1.0);
    }
}

TEST_CASE("version 2 directions") {
    const Params base = base_params();
    const auto dr = constant_policy("diffusion_rule", 6, diffusion_rule);

    SUBCASE("a trusted channel with lower leakage: more Tier-2 shipments, no more smuggling") {
        Params p = base;
        p["trusted_leak_mult"] = 0.25;
        p["trusted_us_operated"] = 0.8;
        const auto a = run_one(p, dr, 2025, 2030);
        const auto b = run_one(p, with_levers(dr, {{Lever::trusted_share, 0.5}}), 2025, 2030);
        for (std::size_t k = 0; k < 6; ++k) {
            CHECK(b.at("t2_stock")[k] > a.at("t2_stock")[k]);
            CHECK(b.at("us_controlled_stock")[k] > a.at("us_controlled_stock")[k]);
            CHECK(b.at("trusted_shipments")[k] > 0.0);
        }
        // Routing the same demand through the trusted channel leaks less than shipping it
        // uncapped through the ordinary one.
        const auto open = with_levers(dr, {{Lever::tier2_country_cap, inf}});
        const auto c = run_one(p, open, 2025, 2030);
        const auto d = run_one(p, with_levers(open, {{Lever::trusted_share, 0.5}}), 2025, 2030);
        for (std::size_t k = 0; k < 6; ++k) {
            CHECK(d.at("cn_smuggled")[k] < c.at("cn_smuggled")[k]);
            CHECK(d.at("t2_stock")[k] > c.at("t2_stock")[k]); // less of it lost to leakage
        }
    }
    SUBCASE("a trusted cap limits the channel; uveu_share adds capacity with US demand") {
        Params p = base;
        const auto capped = with_levers(dr, {{Lever::trusted_share, 0.5}, {Lever::trusted_cap, 0}});
        const auto none = run_one(p, capped, 2025, 2030);
        const auto uveu = run_one(p, with_levers(capped, {{Lever::uveu_share, 0.05}}), 2025, 2030);
        for (std::size_t k = 0; k < 6; ++k) {
            CHECK(none.at("trusted_shipments")[k] == 0.0);
            CHECK(uveu.at("trusted_shipments")[k] > 0.0);
        }
    }
    SUBCASE("smuggling capacity: a tighter network smuggles less, and enforcement shrinks it") {
        Params loose = base, tight = base;
        loose["smuggling_capacity_2025"] = 0.3;
        tight["smuggling_capacity_2025"] = 0.05;
        const auto a = run_one(loose, dr, 2025, 2030), b = run_one(tight, dr, 2025, 2030);
        const auto strong = with_levers(dr, {{Lever::enforcement, 3.0}});
        const auto c = run_one(tight, strong, 2025, 2030);
        for (std::size_t k = 0; k < 6; ++k) {
            CHECK(b.at("cn_smuggled")[k] <= a.at("cn_smuggled")[k]);
            CHECK(c.at("cn_smuggled")[k] < b.at("cn_smuggled")[k]);
        }
        CHECK(b.at("cum_smuggled")[0] < a.at("cum_smuggled")[0]);
        // Without growth the network's capacity stays at its 2025 level: no compounding.
        CHECK(b.at("cn_smuggled")[5] <= 0.05 + 1e-15);
    }
}

namespace {

/// Every version-2 mechanism on at once, at values far from neutral.
Params all_mechanisms() {
    Params p = base_params();
    p["trusted_leak_mult"] = 0.25;
    p["trusted_us_operated"] = 0.8;
    p["t2_switch_rate"] = 0.3;
    p["t2_cn_aligned_2024"] = 0.05;
    p["cn_export_share_max"] = 0.1;
    p["cn_stack_cloud_access"] = 0.3;
    p["cn_crowd_out"] = 0.5;
    p["cn_mandate_share"] = 0.3;
    p["cn_learning"] = 0.2;
    p["cn_domestic_inference_mult"] = 1.6;
    p["cn_inference_mult_2024"] = 2.0;
    p["cn_domestic_share_2024"] = 0.2;
    p["smuggling_capacity_2025"] = 0.3;
    p["smuggling_capacity_growth"] = 1.3;
    p["us_power_2025"] = 9.0;
    p["us_power_growth"] = 1.2;
    p["kw_per_h100e_2025"] = 1.2;
    p["energy_efficiency_growth"] = 1.3;
    p["us_units_growth_halflife"] = 3.0;
    p["cn_output_growth_halflife"] = 2.0;
    return p;
}

} // namespace

TEST_CASE("version 2, every mechanism on: chips, China's capacity and money are conserved") {
    const Params p = all_mechanisms();
    const double c_legal = 2.0, legal_price = 3.0, fee = 0.15;
    const auto policy =
        with_levers(constant_policy("nvidia", 8, nvidia), {{Lever::trusted_share, 0.3},
                                                           {Lever::trusted_cap, 0.5},
                                                           {Lever::cn_import_accept, 0.7},
                                                           {Lever::legal_capacity_mult, c_legal},
                                                           {Lever::legal_price_mult, legal_price},
                                                           {Lever::legal_inference_mult, 8.0},
                                                           {Lever::china_legal_share, 0.2},
                                                           {Lever::cn_stack_deterrence, 0.2},
                                                           {Lever::china_fee, fee},
                                                           {Lever::tier2_country_cap, 0.0166}});
    const auto o = run_one(p, policy, 2025, 2032);
    const double keep = 1.0 - 1.0 / p.at("hardware_lifetime");
    double k_us = p.at("us_stock_2024"), k_t2 = p.at("t2_stock_2024"),
           hbm = p.at("cn_hbm_stockpile");
    double power_before = p.at("us_stock_2024") * 1.2 * 1.3;
    bool exported = false, power_bound = false;
    double cn_growth_years = 0.0, cn_growth_rate = 1.0;
    for (std::size_t k = 0; k < 8; ++k) {
        const double kd = static_cast<double>(k);
        INFO("year " << 2025 + k);
        const double price = p.at("us_price_2025") / std::pow(p.at("price_performance_growth"), kd);
        const double e_us = p.at("us_chip_perf_2025") * std::pow(p.at("us_chip_perf_growth"), kd);
        const double p_total = o.at("us_chips")[k] * e_us;
        const double legal = o.at("cn_legal_imports")[k];
        const double smuggled = o.at("cn_smuggled")[k];
        // Sold to US/Tier-1 and Tier-2 buyers, from revenue by destination.
        const double sold = (o.at("revenue_us")[k] + o.at("revenue_tier2")[k]) / price;
        const double forgone = p_total - c_legal * legal - sold;
        const double i_us = o.at("us_stock")[k] - keep * k_us;
        const double i_t2 = o.at("t2_stock")[k] - keep * k_t2;
        k_us = o.at("us_stock")[k];
        k_t2 = o.at("t2_stock")[k];
        CHECK(forgone >= -1e-12 * p_total);
        // P = I_US + I_T2 + c_L·L + X + F, and what was sold outside China is installed or
        // smuggled.
        CHECK(sold == doctest::Approx(i_us + i_t2 + smuggled).epsilon(1e-11));
        CHECK(o.at("revenue")[k] ==
              doctest::Approx(o.at("revenue_us")[k] + o.at("revenue_tier2")[k] +
                              o.at("revenue_china")[k] - o.at("fees_paid")[k])
                  .epsilon(1e-12));
        CHECK(o.at("revenue_china")[k] == doctest::Approx(legal_price * price * legal));
        CHECK(o.at("revenue_forgone")[k] ==
              doctest::Approx(price * p_total - o.at("revenue")[k]).epsilon(1e-12));
        // HBM: what China made used 8 stacks per chip; what it did not make kept its HBM.
        // China's output grows for τ(k) = 1 + d + … + d^(k−1) years at its 2025 rate.
        const double hbm_in =
            p.at("cn_hbm_domestic_2025") * std::pow(p.at("cn_hbm_growth"), cn_growth_years);
        cn_growth_years += cn_growth_rate;
        cn_growth_rate *= std::exp2(-1.0 / p.at("cn_output_growth_halflife"));
        CHECK(o.at("cn_hbm_stock")[k] ==
              doctest::Approx(hbm + hbm_in - 8.0 * o.at("cn_domestic_chips")[k]).epsilon(1e-12));
        hbm = o.at("cn_hbm_stock")[k];
        CHECK(o.at("cn_hbm_stock")[k] >= -1e-12 * (hbm_in + 1.0)); // zero, to rounding
        // Shares of China's additions add up; smuggling within the network's capacity.
        const double added = legal + smuggled + o.at("cn_domestic")[k];
        CHECK(o.at("cn_self_sufficiency")[k] + o.at("cn_smuggled_share")[k] + legal / added ==
              doctest::Approx(1.0).epsilon(1e-12));
        CHECK(smuggled <= 0.3 * std::pow(1.3, kd) * (1 + 1e-12));
        // The US bloc draws no more power than it has.
        const double power = 9.0 * std::pow(1.2, kd);
        CHECK(o.at("us_power")[k] <= power * (1 + 1e-12));
        // Bound: all the power is used, but for the US sales that leak.
        power_bound = power_bound || o.at("us_power")[k] > 0.98 * power;
        CHECK(o.at("us_power")[k] >= keep * power_before * (1 - 1e-12));
        power_before = o.at("us_power")[k];
        exported = exported || o.at("cn_exports")[k] > 0.0;
        for (const char* share : {"us_stack_share", "t2_cn_aligned", "cn_self_sufficiency"}) {
            CHECK(o.at(share)[k] >= 0.0);
            CHECK(o.at(share)[k] <= 1.0);
        }
        CHECK(o.at("inference_ratio")[k] < o.at("compute_ratio")[k]);
    }
    CHECK(exported);    // the mechanisms were exercised, not bypassed
    CHECK(power_bound); // the power bound bound in some year
}

TEST_CASE("version 2 directions: the mechanisms each side of the debate relies on") {
    const Params base = base_params();
    const auto nv = constant_policy("nvidia", 8, nvidia);
    const auto dr = constant_policy("diffusion_rule", 8, diffusion_rule);
    auto run8 = [](const Params& p, const Policy& policy) {
        return run_one(p, policy, 2025, 2032);
    };

    SUBCASE("revenue funds R&D: forgone revenue slows US supply, from the second year on") {
        Params rd = base;
        rd["rd_elasticity"] = 0.5;
        const auto a = run8(base, dr), b = run8(rd, dr);
        CHECK(b.at("us_chips")[0] == a.at("us_chips")[0]);
        for (std::size_t k = 1; k < 8; ++k) {
            CHECK(b.at("us_stock")[k] < a.at("us_stock")[k]);
            CHECK(b.at("revenue_forgone")[k] > 0.0);
        }
        // The policy that forgoes more revenue loses more supply to it.
        const auto c = run8(base, nv), d = run8(rd, nv);
        // (R&D acts on performance per chip, not on the number of chips.)
        CHECK(b.at("us_chips")[7] == doctest::Approx(a.at("us_chips")[7]).epsilon(1e-12));
        const double loss_dr = 1.0 - b.at("us_stock")[7] / a.at("us_stock")[7];
        const double loss_nv = 1.0 - d.at("us_stock")[7] / c.at("us_stock")[7];
        CHECK(loss_dr > loss_nv);
    }
    SUBCASE("China's acceptance and the legal product's class shape legal imports") {
        const auto a = run8(base, nv);
        const auto b = run8(base, with_levers(nv, {{Lever::cn_import_accept, 0.02}}));
        const auto c = run8(base, with_levers(nv, {{Lever::legal_capacity_mult, 6.7},
                                                   {Lever::legal_price_mult, 5.0}}));
        CHECK(b.at("cn_legal_imports")[0] < a.at("cn_legal_imports")[0]);
        for (std::size_t k = 0; k < 8; ++k) {
            CHECK(b.at("cn_legal_imports")[k] <= a.at("cn_legal_imports")[k]);
            CHECK(c.at("cn_cost_multiplier")[k] > a.at("cn_cost_multiplier")[k]);
        }
        // A share cap of US demand binds where the fixed cap would not.
        const auto d = run8(base, with_levers(nv, {{Lever::china_legal_cap, inf},
                                                   {Lever::china_legal_share, 0.01}}));
        for (std::size_t k = 0; k < 8; ++k)
            CHECK(d.at("cn_legal_imports")[k] < 0.01 * a.at("us_chips")[k] * 10);
    }
    SUBCASE("crowd-out and learning: legal imports slow China's own industry") {
        Params crowd = base, learn = base;
        crowd["cn_crowd_out"] = 1.0;
        learn["cn_crowd_out"] = 1.0;
        learn["cn_learning"] = 0.5;
        const auto a = run8(base, nv), b = run8(crowd, nv), c = run8(learn, nv);
        // Crowded out, China makes fewer chips now; their HBM waits (here HBM binds later, so
        // the chips are made then: crowd-out defers output that HBM bounds, learning does not).
        CHECK(b.at("cn_domestic")[0] < a.at("cn_domestic")[0]);
        CHECK(b.at("cn_hbm_stock")[0] > a.at("cn_hbm_stock")[0]);
        double sum_b = 0, sum_c = 0;
        for (std::size_t k = 1; k < 8; ++k) {
            CHECK(c.at("cn_domestic")[k] <= b.at("cn_domestic")[k]);
            sum_b += b.at("cn_domestic")[k];
            sum_c += c.at("cn_domestic")[k];
        }
        CHECK(sum_c < sum_b);
        // Without legal imports there is nothing to crowd out.
        const auto ban = with_levers(nv, {{Lever::china_legal_cap, 0.0}});
        CHECK(run8(learn, ban).at("cn_domestic")[7] == run8(base, ban).at("cn_domestic")[7]);
    }
    SUBCASE("blocked Tier-2 demand turns to Chinese chips, unless deterred or served") {
        Params p = base;
        p["t2_switch_rate"] = 0.5;
        p["cn_export_share_max"] = 0.2;
        const auto a = run8(base, dr), b = run8(p, dr);
        const auto deterred = run8(p, with_levers(dr, {{Lever::cn_stack_deterrence, 1.0}}));
        const auto open = run8(p, nv); // no Tier-2 caps: nothing blocked
        CHECK(b.at("t2_cn_aligned")[7] > 0.0);
        CHECK(b.at("cn_exports")[7] > 0.0);
        CHECK(b.at("t2_cn_stock")[7] > 0.0);
        CHECK(b.at("us_stack_share")[7] < a.at("us_stack_share")[7]);
        for (std::size_t k = 0; k < 8; ++k) {
            CHECK(deterred.at("t2_cn_aligned")[k] == 0.0);
            CHECK(open.at("t2_cn_aligned")[k] == 0.0);
            CHECK(b.at("t2_cn_aligned")[k] <= 1.0);
        }
    }
    SUBCASE("the power bound caps the US stock") {
        Params p = base;
        p["us_power_2025"] = 10.0;
        p["kw_per_h100e_2025"] = 1.2;
        p["energy_efficiency_growth"] = 1.3;
        const auto a = run8(base, dr), b = run8(p, dr);
        CHECK(b.at("us_stock")[7] < a.at("us_stock")[7]);
        CHECK(b.at("revenue_forgone")[7] > a.at("revenue_forgone")[7]);
        CHECK(std::isnan(a.at("us_power")[0])); // no kW per H100e: unknown
        CHECK(b.at("us_power")[7] <= 10.0 * (1 + 1e-12));
    }
    SUBCASE("inference value: H20-class imports count for more in inference than in training") {
        const auto h20 = with_levers(nv, {{Lever::legal_inference_mult, 8.0}});
        const auto a = run8(base, nv), b = run8(base, h20);
        for (std::size_t k = 0; k < 8; ++k) {
            CHECK(b.at("compute_ratio")[k] == a.at("compute_ratio")[k]);
            CHECK(b.at("inference_ratio")[k] < a.at("inference_ratio")[k]);
        }
    }
}

TEST_CASE("version 2: growth that slows follows u^τ(k), τ(k) = 1 + d + … + d^(k−1), d = 2^(−1/h)") {
    const Params base = base_params();
    Params slow = base;
    slow["us_units_growth_halflife"] = 2.0;
    slow["cn_output_growth_halflife"] = 1.5;
    const auto policy = constant_policy("p", 11, diffusion_rule);
    const auto held = run_one(base, policy, 2025, 2035);
    const auto o = run_one(slow, policy, 2025, 2035);
    const double d = std::exp2(-1.0 / 2.0);
    double tau = 0.0, rate = 1.0;
    for (std::size_t k = 0; k < 11; ++k) {
        // us_chips = P / e_US = supply · u^τ(k) / us_chip_perf_2025 without R&D funding.
        const double expected = base.at("us_supply_2025") *
                                std::pow(base.at("us_units_growth"), tau) /
                                base.at("us_chip_perf_2025");
        CHECK(o.at("us_chips")[k] == doctest::Approx(expected).epsilon(1e-13));
        if (k >= 2) {
            CHECK(o.at("us_chips")[k] < held.at("us_chips")[k]);
            CHECK(o.at("cn_domestic_chips")[k] <= held.at("cn_domestic_chips")[k]);
        } else { // τ(0) = 0, τ(1) = 1: the first two years are version 1's
            CHECK(o.at("us_chips")[k] == doctest::Approx(held.at("us_chips")[k]).epsilon(1e-14));
        }
        tau += rate;
        rate *= d;
    }
    // Output levels off: τ(k) tends to 1 / (1 − d).
    CHECK(tau < 1.0 / (1.0 - d));
    CHECK(tau > 0.95 / (1.0 - d));
}
