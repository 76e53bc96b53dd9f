#include "chiprace/model/compute_race.hpp"

#include "chiprace/numeric/elementary_functions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace chiprace::model {

namespace {

// Parameter positions in compute_race_parameter_names().
enum P : std::size_t {
    us_supply_2025,
    us_units_growth,
    us_chip_perf_growth,
    us_chip_perf_2025,
    us_price_2025,
    price_performance_growth,
    china_demand_share,
    tier2_demand_share,
    tier2_capped_countries,
    tier2_lpp_share,
    lpp_elasticity,
    reallocation_rate,
    leakage_rate,
    lpp_leakage_rate,
    direct_leakage_rate,
    enforcement_elasticity,
    cloud_access_share,
    smuggling_premium,
    cn_chips_2025,
    cn_chips_growth,
    induced_substitution,
    cn_yield_2025,
    cn_yield_max,
    cn_yield_halflife,
    cn_hbm_stockpile,
    cn_hbm_domestic_2025,
    cn_hbm_growth,
    cn_hbm_per_chip,
    cn_chip_perf_2025,
    cn_chip_perf_growth,
    cn_chip_price_2025,
    hardware_lifetime,
    us_stock_2024,
    t2_stock_2024,
    cn_stock_2024,
    us_largest_share,
    cn_largest_share,
    mfu,
    run_days,
    algo_progress,
    cn_algo_factor,
    // Version 2, optional.
    trusted_leak_mult,
    trusted_us_operated,
    t2_switch_rate,
    t2_cn_aligned_2024,
    cn_export_share_max,
    cn_stack_cloud_access,
    cn_crowd_out,
    cn_mandate_share,
    cn_learning,
    rd_elasticity,
    cn_domestic_inference_mult,
    cn_inference_mult_2024,
    cn_domestic_share_2024,
    smuggling_capacity_2025,
    smuggling_capacity_growth,
    us_power_2025,
    us_power_growth,
    kw_per_h100e_2025,
    energy_efficiency_growth,
    us_units_growth_halflife,
    cn_output_growth_halflife,
};

// Output positions in outputs_: the series (version 1's 19, then version 2's), then 3 scalars.
enum O : std::size_t {
    o_us_stock,
    o_t2_stock,
    o_cn_stock,
    o_cn_usable,
    o_compute_ratio,
    o_cn_legal_imports,
    o_cn_smuggled,
    o_cn_domestic,
    o_cn_domestic_chips,
    o_cn_hbm_stock,
    o_us_largest_run,
    o_cn_largest_run,
    o_us_effective_run,
    o_cn_effective_run,
    o_frontier_gap_years,
    o_revenue,
    o_revenue_forgone,
    o_cn_cost_multiplier,
    o_us_chips,
    o_us_controlled_stock,
    o_us_controlled_ratio,
    o_trusted_shipments,
    o_us_stack_share,
    o_cn_self_sufficiency,
    o_cn_smuggled_share,
    o_revenue_us,
    o_revenue_tier2,
    o_revenue_china,
    o_fees_paid,
    o_t2_cn_aligned,
    o_cn_exports,
    o_t2_cn_stock,
    o_cn_inference_stock,
    o_inference_ratio,
    o_us_power,
    series_count,
};

constexpr double h100_flop_per_s = 9.89e14; // dense BF16 (docs/model.md section 2.5)
constexpr double seconds_per_day = 86400.0;
constexpr double lpp_threshold_2025 = 1700.0; // H100e per customer per year, 2025 rule

std::vector<OutputSpec> make_outputs() {
    return {
        {"us_stock", "M H100e", "installed AI compute of the US and Tier-1 allies, end of year",
         true},
        {"t2_stock", "M H100e", "installed AI compute of Tier-2 countries, end of year", true},
        {"cn_stock", "M H100e",
         "installed AI compute in China (imports, smuggling, domestic), end of year", true},
        {"cn_usable", "M H100e",
         "compute China can use: its own stock plus Tier-2 cloud it can rent", true},
        {"compute_ratio", "1", "US and Tier-1 stock divided by compute usable by China", true},
        {"cn_legal_imports", "M H100e/yr", "US-designed accelerators sold to China legally", true},
        {"cn_smuggled", "M H100e/yr",
         "US-designed accelerators smuggled to China (Tier-2 and direct channels)", true},
        {"cn_domestic", "M H100e/yr", "China's domestic accelerator output, in delivered H100e",
         true},
        {"cn_domestic_chips", "M chips/yr",
         "China's domestic accelerators produced (logic or HBM bound)", true},
        {"cn_hbm_stock", "M stacks", "China's HBM stacks left at year end", true},
        {"us_largest_run", "FLOP", "largest US training run feasible in the year", true},
        {"cn_largest_run", "FLOP", "largest Chinese training run feasible in the year", true},
        {"us_effective_run", "FLOP (start-year algorithms)",
         "largest US run times algorithmic efficiency", true},
        {"cn_effective_run", "FLOP (start-year algorithms)",
         "largest Chinese run times algorithmic efficiency and China's algorithm factor", true},
        // The per-year probabilities analysts ask for (China ahead; China within a quarter,
        // a half, a whole year): counted exactly in the summaries, a NaN gap never counting.
        {"frontier_gap_years",
         "years",
         "years China's best effective run trails the US's (NaN when US effective compute stops "
         "growing)",
         true,
         false,
         {{"below_0", OutputEvent::Comparison::less, 0.0,
           "China's best effective run ahead of the US's (gap < 0)"},
          {"below_0.25", OutputEvent::Comparison::less, 0.25, "gap below a quarter year"},
          {"below_0.5", OutputEvent::Comparison::less, 0.5, "gap below half a year"},
          {"below_1", OutputEvent::Comparison::less, 1.0, "gap below one year"}}},
        {"revenue", "B$/yr",
         "revenue of US designers from accelerator sales, net of fees to the US government", true},
        {"revenue_forgone", "B$/yr",
         "revenue lost against selling the whole output unrestricted and fee-free", true},
        {"cn_cost_multiplier", "1", "China's cost per effective FLOP divided by the US's", true},
        {"us_chips", "M chips/yr", "US-designed accelerators produced", true},
        {"us_controlled_stock", "M H100e",
         "compute the US controls: US and Tier-1 stock plus US-operated trusted Tier-2 stock",
         true},
        {"us_controlled_ratio", "1", "US-controlled compute divided by compute usable by China",
         true},
        {"trusted_shipments", "M H100e/yr",
         "shipped to Tier 2 through the trusted channel (agreements, deals, verified end users)",
         true},
        {"us_stack_share", "1",
         "share of the world's installed AI compute on the US stack (US, Tier-1 and Tier-2 stock "
         "of US-designed chips)",
         true},
        {"cn_self_sufficiency", "1",
         "domestic share of China's compute additions (NaN when China adds nothing)", true},
        {"cn_smuggled_share", "1",
         "smuggled share of China's compute additions (NaN when China adds nothing)", true},
        {"revenue_us", "B$/yr",
         "revenue of US designers from sales to US and Tier-1 buyers (including chips later "
         "smuggled)",
         true},
        {"revenue_tier2", "B$/yr",
         "revenue of US designers from sales to Tier-2 buyers (including chips later smuggled)",
         true},
        {"revenue_china", "B$/yr", "revenue of US designers from legal sales to China, before fees",
         true},
        {"fees_paid", "B$/yr", "fees on China sales paid to the US government", true},
        {"t2_cn_aligned", "1",
         "share of Tier-2 demand without a trusted route that turned to the Chinese stack", true},
        {"cn_exports", "M H100e/yr", "Chinese accelerators exported to aligned Tier-2 buyers",
         true},
        {"t2_cn_stock", "M H100e", "Chinese accelerators installed in Tier 2, end of year", true},
        {"cn_inference_stock", "M H100e (inference)",
         "China's own stock counted at its inference value per training H100e", true},
        {"inference_ratio", "1",
         "compute_ratio with China's own stock counted at its inference value", true},
        {"us_power", "GW",
         "power drawn by the US and Tier-1 installed AI compute (NaN without kw_per_h100e_2025)",
         true},
        {"cum_smuggled", "M H100e", "accelerators smuggled to China over the horizon", false},
        {"cum_revenue_forgone", "B$", "revenue forgone over the horizon, undiscounted", false},
        {"first_year_gap_below_1", "year",
         "first year whose frontier gap is below one year (a NaN gap never counts, a negative one "
         "does); end year + 1 when none: right-censored",
         false, true},
    };
}

} // namespace

const std::array<std::string_view, lever_count>& lever_names() {
    static const std::array<std::string_view, lever_count> names{"china_legal_cap",
                                                                 "tier2_country_cap",
                                                                 "tier2_exempt_capacity",
                                                                 "lpp_threshold",
                                                                 "enforcement",
                                                                 "leakage_multiplier",
                                                                 "cloud_kyc",
                                                                 "stringency",
                                                                 "china_fee",
                                                                 "trusted_share",
                                                                 "trusted_cap",
                                                                 "uveu_share",
                                                                 "cn_import_accept",
                                                                 "legal_capacity_mult",
                                                                 "legal_price_mult",
                                                                 "legal_inference_mult",
                                                                 "china_legal_share",
                                                                 "cn_stack_deterrence"};
    return names;
}

double lever_neutral_value(Lever lever) {
    switch (lever) {
    case Lever::trusted_share: // no trusted channel: Tier 2 is one bloc, as in version 1
    case Lever::uveu_share:
    case Lever::cn_stack_deterrence:
        return 0.0;
    case Lever::cn_import_accept:    // China lets its firms buy what the US lets them
    case Lever::legal_capacity_mult: // the legal product is a frontier chip
    case Lever::legal_price_mult:
    case Lever::legal_inference_mult:
        return 1.0;
    case Lever::trusted_cap: // a trusted channel, once opened, is capped by its share alone
    case Lever::china_legal_share:
        return std::numeric_limits<double>::infinity();
    default:
        return std::numeric_limits<double>::quiet_NaN();
    }
}

double compute_race_neutral_value(std::size_t j) {
    switch (j) {
    case trusted_leak_mult:          // trusted shipments leak like any other Tier-2 shipment
    case cn_domestic_inference_mult: // every chip's inference value is its training value
    case cn_inference_mult_2024:
    case smuggling_capacity_growth:
    case us_power_growth:
    case energy_efficiency_growth:
        return 1.0;
    case trusted_us_operated: // nobody in Tier 2 counts as US-controlled
    case t2_switch_rate:      // nobody turns to the Chinese stack
    case t2_cn_aligned_2024:
    case cn_export_share_max:
    case cn_stack_cloud_access:
    case cn_crowd_out: // China's buyers take every domestic chip, imports or not
    case cn_mandate_share:
    case cn_learning:
    case rd_elasticity:          // R&D does not depend on revenue
    case cn_domestic_share_2024: // (only us_stack_share reads it)
        return 0.0;
    case smuggling_capacity_2025:  // smuggling networks without a capacity limit
    case us_power_2025:            // no power bound
    case us_units_growth_halflife: // growth rates that hold for ever
    case cn_output_growth_halflife:
        return std::numeric_limits<double>::infinity();
    case kw_per_h100e_2025: // us_power unknown
        return std::numeric_limits<double>::quiet_NaN();
    default:
        return std::numeric_limits<double>::quiet_NaN();
    }
}

const std::array<std::string_view, compute_race_parameter_count>& compute_race_parameter_names() {
    static const std::array<std::string_view, compute_race_parameter_count> names{
        "us_supply_2025",
        "us_units_growth",
        "us_chip_perf_growth",
        "us_chip_perf_2025",
        "us_price_2025",
        "price_performance_growth",
        "china_demand_share",
        "tier2_demand_share",
        "tier2_capped_countries",
        "tier2_lpp_share",
        "lpp_elasticity",
        "reallocation_rate",
        "leakage_rate",
        "lpp_leakage_rate",
        "direct_leakage_rate",
        "enforcement_elasticity",
        "cloud_access_share",
        "smuggling_premium",
        "cn_chips_2025",
        "cn_chips_growth",
        "induced_substitution",
        "cn_yield_2025",
        "cn_yield_max",
        "cn_yield_halflife",
        "cn_hbm_stockpile",
        "cn_hbm_domestic_2025",
        "cn_hbm_growth",
        "cn_hbm_per_chip",
        "cn_chip_perf_2025",
        "cn_chip_perf_growth",
        "cn_chip_price_2025",
        "hardware_lifetime",
        "us_stock_2024",
        "t2_stock_2024",
        "cn_stock_2024",
        "us_largest_share",
        "cn_largest_share",
        "mfu",
        "run_days",
        "algo_progress",
        "cn_algo_factor",
        "trusted_leak_mult",
        "trusted_us_operated",
        "t2_switch_rate",
        "t2_cn_aligned_2024",
        "cn_export_share_max",
        "cn_stack_cloud_access",
        "cn_crowd_out",
        "cn_mandate_share",
        "cn_learning",
        "rd_elasticity",
        "cn_domestic_inference_mult",
        "cn_inference_mult_2024",
        "cn_domestic_share_2024",
        "smuggling_capacity_2025",
        "smuggling_capacity_growth",
        "us_power_2025",
        "us_power_growth",
        "kw_per_h100e_2025",
        "energy_efficiency_growth",
        "us_units_growth_halflife",
        "cn_output_growth_halflife"};
    return names;
}

ComputeRace::ComputeRace(int start_year, int end_year, std::vector<Policy> policies,
                         std::array<std::size_t, compute_race_parameter_count> parameter_index)
    : policies_(std::move(policies)), index_(parameter_index), outputs_(make_outputs()) {
    if (end_year <= start_year)
        throw std::invalid_argument("ComputeRace: the horizon needs end > start");
    for (int y = start_year; y <= end_year; ++y)
        years_.push_back(y);
    for (const auto& p : policies_)
        if (p.by_year.size() != lever_count)
            throw std::invalid_argument("ComputeRace: policy " + p.name + " sets " +
                                        std::to_string(p.by_year.size()) + " levers, not " +
                                        std::to_string(lever_count));
    for (const auto& p : policies_)
        for (const auto& lever : p.by_year)
            if (lever.size() != years_.size())
                throw std::invalid_argument("ComputeRace: policy " + p.name +
                                            " has levers for the wrong number of years");
}

void ComputeRace::evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const {
    const Policy& policy = policies_[variant];
    const std::size_t n = in.size();
    const std::size_t years = years_.size();
    // An optional parameter the experiment does not sample reads its neutral value.
    std::array<const double*, compute_race_parameter_count> columns{};
    std::vector<double> neutral;
    for (std::size_t j = 0; j < compute_race_parameter_count; ++j)
        if (index_[j] == absent_parameter)
            neutral.insert(neutral.end(), n, compute_race_neutral_value(j));
    for (std::size_t j = 0, used = 0; j < compute_race_parameter_count; ++j)
        columns[j] = index_[j] == absent_parameter ? neutral.data() + n * used++
                                                   : in.column(index_[j]).data();
    const auto col = [&](P p) { return columns[p]; };
    const auto sampled = [&](P p) { return index_[p] != absent_parameter; };
    const auto series = [&](O o, std::size_t k) { return out.column(o * years + k).data(); };
    const std::size_t scalar0 = series_count * years;

    // Version 2's mechanisms at their neutral values leave version 1's expressions in place
    // (docs/model.md, section 9): the same bits, not merely the same values to rounding. A
    // mechanism whose parameters are not sampled is skipped for the whole block.
    bool trusted_ever = false;
    for (std::size_t k = 0; k < years; ++k)
        trusted_ever = trusted_ever || policy.at(Lever::trusted_share, k) > 0.0;
    const bool rd_funded = sampled(rd_elasticity);
    const bool aligning = sampled(t2_switch_rate) || sampled(t2_cn_aligned_2024);
    const bool cn_market = aligning || sampled(cn_crowd_out) || sampled(cn_learning);
    const bool learning = sampled(cn_learning);
    const bool smuggling_capped = sampled(smuggling_capacity_2025);
    const bool power_bound = sampled(us_power_2025);
    const bool units_slowing = sampled(us_units_growth_halflife);
    const bool cn_slowing = sampled(cn_output_growth_halflife);
    const bool shared_t2 = trusted_ever || aligning; // Kuse_CN in version 2's form

    // The state carried from year to year, per sample, in one allocation. Raw pointers to
    // distinct arrays let the compiler vectorise the year's loop: through many std::vectors it
    // could not see that a store leaves the other vectors' data pointers alone.
    enum Carried : std::size_t {
        c_k_us,
        c_k_t2,
        c_k_cn,
        c_hbm,
        c_sigma,
        c_k_t2us,
        c_k_t2cn,
        c_k_cn_dom,
        c_ki_cn,
        c_w_us,
        c_made,
        c_could,
        c_cum_x,
        c_cum_forgone,
        c_yield_decay,
        c_lpp_factor,
        c_enforcement_factor,
        c_boost_now,
        c_rho_rev,
        c_pw_supply,
        c_pw_perf,
        c_pw_price,
        c_pw_chips,
        c_pw_hbm,
        c_pw_cn_perf,
        c_pw_algo,
        c_pw_yield_gap,
        c_pw_boost,
        c_pw_units,
        c_pw_smuggling_capacity,
        c_pw_power,
        c_pw_efficiency,
        c_units_years,
        c_units_rate,
        c_units_decay,
        c_cn_years,
        c_cn_rate,
        c_cn_decay,
        c_ln_units_g,
        c_ln_chips_g,
        c_ln_hbm_g,
        c_ln_perf_g,
        c_ln_pp_g,
        c_ln_cn_perf_g,
        carried_count
    };
    std::vector<double> carried(carried_count * n);
    const auto state = [&](Carried c) { return carried.data() + c * n; };
    double* const k_us = state(c_k_us);
    double* const k_t2 = state(c_k_t2);
    double* const k_cn = state(c_k_cn);
    double* const hbm = state(c_hbm);
    double* const sigma = state(c_sigma);
    double* const k_t2us = state(c_k_t2us);
    double* const k_t2cn = state(c_k_t2cn);
    double* const k_cn_dom = state(c_k_cn_dom);
    double* const ki_cn = state(c_ki_cn);
    double* const w_us = state(c_w_us);
    double* const made = state(c_made);
    double* const could = state(c_could);
    double* const cum_x = state(c_cum_x);
    double* const cum_forgone = state(c_cum_forgone);
    double* const yield_decay = state(c_yield_decay);
    double* const lpp_factor = state(c_lpp_factor);
    double* const enforcement_factor = state(c_enforcement_factor);
    double* const boost_now = state(c_boost_now);
    double* const rho_rev = state(c_rho_rev);
    double* const pw_supply = state(c_pw_supply);
    double* const pw_perf = state(c_pw_perf);
    double* const pw_price = state(c_pw_price);
    double* const pw_chips = state(c_pw_chips);
    double* const pw_hbm = state(c_pw_hbm);
    double* const pw_cn_perf = state(c_pw_cn_perf);
    double* const pw_algo = state(c_pw_algo);
    double* const pw_yield_gap = state(c_pw_yield_gap);
    double* const pw_boost = state(c_pw_boost);
    double* const pw_units = state(c_pw_units);
    double* const pw_smuggling_capacity = state(c_pw_smuggling_capacity);
    double* const pw_power = state(c_pw_power);
    double* const pw_efficiency = state(c_pw_efficiency);
    // Slowing growth: τ(k) = 1 + d + … + d^(k−1) years of growth at the initial rate, the
    // rate's weight d^k, and d = 2^(−1/halflife) (1 exactly for an infinite half-life).
    double* const units_years = state(c_units_years);
    double* const units_rate = state(c_units_rate);
    double* const units_decay = state(c_units_decay);
    double* const cn_years = state(c_cn_years);
    double* const cn_rate = state(c_cn_rate);
    double* const cn_decay = state(c_cn_decay);
    double* const ln_units_g = state(c_ln_units_g);
    double* const ln_chips_g = state(c_ln_chips_g);
    double* const ln_hbm_g = state(c_ln_hbm_g);
    double* const ln_perf_g = state(c_ln_perf_g);
    double* const ln_pp_g = state(c_ln_pp_g);
    double* const ln_cn_perf_g = state(c_ln_cn_perf_g);
    // Stocks: K(−1), H(−1) and σ(−1) from the parameters; x^k for the yearly growth factors,
    // carried by multiplication from 1 (pow() was a third of the model's time, and k rounding
    // steps differ from pow by a few ulp at most).
    std::copy_n(col(us_stock_2024), n, k_us);
    std::copy_n(col(t2_stock_2024), n, k_t2);
    std::copy_n(col(cn_stock_2024), n, k_cn);
    std::copy_n(col(cn_hbm_stockpile), n, hbm);
    std::copy_n(col(t2_cn_aligned_2024), n, sigma);
    for (Carried c :
         {c_rho_rev, c_pw_supply, c_pw_perf, c_pw_price, c_pw_chips, c_pw_hbm, c_pw_cn_perf,
          c_pw_algo, c_pw_yield_gap, c_pw_boost, c_pw_units, c_pw_smuggling_capacity, c_pw_power,
          c_pw_efficiency, c_units_rate, c_cn_rate})
        std::fill_n(state(c), n, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
        k_cn_dom[i] = col(cn_domestic_share_2024)[i] * k_cn[i];
        ki_cn[i] = col(cn_inference_mult_2024)[i] * k_cn[i];
        // Experience from before the start: about a year's output, made and makeable alike.
        made[i] = col(cn_chips_2025)[i];
        could[i] = col(cn_chips_2025)[i];
        w_us[i] = k_us[i] * col(kw_per_h100e_2025)[i] * col(energy_efficiency_growth)[i];
    }
    for (std::size_t i = 0; i < n; ++i) {
        yield_decay[i] = std::exp2(-1.0 / col(cn_yield_halflife)[i]);
        units_decay[i] = std::exp2(-1.0 / col(us_units_growth_halflife)[i]);
        cn_decay[i] = std::exp2(-1.0 / col(cn_output_growth_halflife)[i]);
        ln_units_g[i] = numeric::log(col(us_units_growth)[i]);
        ln_chips_g[i] = numeric::log(col(cn_chips_growth)[i]);
        ln_hbm_g[i] = numeric::log(col(cn_hbm_growth)[i]);
        ln_perf_g[i] = numeric::log(col(us_chip_perf_growth)[i]);
        ln_pp_g[i] = numeric::log(col(price_performance_growth)[i]);
        ln_cn_perf_g[i] = numeric::log(col(cn_chip_perf_growth)[i]);
    }
    // (1 + s·stringency)^k can be carried the same way while stringency stays put.
    bool stringency_constant = true;
    for (std::size_t k = 1; k < years; ++k)
        stringency_constant = stringency_constant &&
                              policy.at(Lever::stringency, k) == policy.at(Lever::stringency, 0);

    const double* supply = col(us_supply_2025);
    const double* units_g = col(us_units_growth);
    const double* perf_g = col(us_chip_perf_growth);
    const double* perf0 = col(us_chip_perf_2025);
    const double* price0 = col(us_price_2025);
    const double* pp_g = col(price_performance_growth);
    const double* cn_share = col(china_demand_share);
    const double* t2_share = col(tier2_demand_share);
    const double* capped = col(tier2_capped_countries);
    const double* lpp_share0 = col(tier2_lpp_share);
    const double* lpp_el = col(lpp_elasticity);
    const double* realloc = col(reallocation_rate);
    const double* leak = col(leakage_rate);
    const double* lpp_leak = col(lpp_leakage_rate);
    const double* direct_leak = col(direct_leakage_rate);
    const double* enf_el = col(enforcement_elasticity);
    const double* cloud = col(cloud_access_share);
    const double* premium = col(smuggling_premium);
    const double* chips0 = col(cn_chips_2025);
    const double* chips_g = col(cn_chips_growth);
    const double* subst = col(induced_substitution);
    const double* yield0 = col(cn_yield_2025);
    const double* yield_max = col(cn_yield_max);
    const double* hbm0 = col(cn_hbm_domestic_2025);
    const double* hbm_g = col(cn_hbm_growth);
    const double* hbm_per_chip = col(cn_hbm_per_chip);
    const double* cn_perf0 = col(cn_chip_perf_2025);
    const double* cn_perf_g = col(cn_chip_perf_growth);
    const double* cn_price0 = col(cn_chip_price_2025);
    const double* lifetime = col(hardware_lifetime);
    const double* us_f = col(us_largest_share);
    const double* cn_f = col(cn_largest_share);
    const double* mfu_ = col(mfu);
    const double* days = col(run_days);
    const double* algo = col(algo_progress);
    const double* cn_algo = col(cn_algo_factor);
    const double* trusted_leak = col(trusted_leak_mult);
    const double* us_operated = col(trusted_us_operated);
    const double* switch_rate = col(t2_switch_rate);
    const double* export_max = col(cn_export_share_max);
    const double* cn_stack_access = col(cn_stack_cloud_access);
    const double* crowd_out = col(cn_crowd_out);
    const double* mandate = col(cn_mandate_share);
    const double* learning_el = col(cn_learning);
    const double* rd_el = col(rd_elasticity);
    const double* dom_inference = col(cn_domestic_inference_mult);
    const double* smuggling_cap0 = col(smuggling_capacity_2025);
    const double* smuggling_cap_g = col(smuggling_capacity_growth);
    const double* power0 = col(us_power_2025);
    const double* power_g = col(us_power_growth);
    const double* kw0 = col(kw_per_h100e_2025);
    const double* efficiency_g = col(energy_efficiency_growth);

    for (std::size_t k = 0; k < years; ++k) {
        const double kd = static_cast<double>(k);
        const double cap_cn = policy.at(Lever::china_legal_cap, k);
        const double cap_t2 = policy.at(Lever::tier2_country_cap, k);
        const double exempt = policy.at(Lever::tier2_exempt_capacity, k);
        const double lpp_ratio =
            std::min(1.0, policy.at(Lever::lpp_threshold, k) / lpp_threshold_2025);
        const double enforcement = policy.at(Lever::enforcement, k);
        const double leak_mult = policy.at(Lever::leakage_multiplier, k);
        const double kyc = policy.at(Lever::cloud_kyc, k);
        const double stringency = policy.at(Lever::stringency, k);
        const double fee = policy.at(Lever::china_fee, k);
        const double trusted = policy.at(Lever::trusted_share, k);
        const double trusted_cap = policy.at(Lever::trusted_cap, k);
        const double uveu = policy.at(Lever::uveu_share, k);
        const double accept = policy.at(Lever::cn_import_accept, k);
        const double c_legal = policy.at(Lever::legal_capacity_mult, k);
        const double legal_price = policy.at(Lever::legal_price_mult, k);
        const double legal_inference = policy.at(Lever::legal_inference_mult, k);
        const double legal_share = policy.at(Lever::china_legal_share, k);
        const double deterrence = policy.at(Lever::cn_stack_deterrence, k);
        const bool uncapped = std::isinf(cap_t2);
        const bool trusted_on = trusted > 0.0;
        // inf × 0 is NaN, and std::min keeps its first argument against NaN: no cap.
        const double legal_share_cap = legal_share;
        // Conditions combined with | and &, not || and &&: a short-circuit makes the condition a
        // branch the vectoriser cannot turn into a select.
        const bool money_v2 = (c_legal != 1.0) | (legal_price != 1.0);
        const bool t2_v2 = trusted_on | cn_market;
        // The common lever values (threshold at the 2025 level, enforcement at 1) need no pow.
        const bool lpp_at_reference = lpp_ratio == 1.0;
        const bool enforcement_at_reference = enforcement == 1.0;
        // A lever that changed since last year needs its per-sample powers recomputed; one
        // that holds (every lever of the default policies) reuses them: the same bits, once.
        if (k == 0 || policy.at(Lever::lpp_threshold, k) != policy.at(Lever::lpp_threshold, k - 1))
            for (std::size_t i = 0; i < n; ++i)
                lpp_factor[i] = lpp_at_reference ? 1.0 : std::pow(lpp_ratio, lpp_el[i]);
        if (k == 0 || enforcement != policy.at(Lever::enforcement, k - 1))
            for (std::size_t i = 0; i < n; ++i)
                enforcement_factor[i] =
                    enforcement_at_reference ? 1.0 : std::pow(enforcement, -enf_el[i]);

        // pow stays out of the main loop so that the loop vectorises.
        if (!stringency_constant)
            for (std::size_t i = 0; i < n; ++i)
                boost_now[i] = std::pow(1.0 + subst[i] * stringency, kd);
        const double* boost_k = stringency_constant ? pw_boost : boost_now;

        double* o_us = series(o_us_stock, k);
        double* o_t2 = series(o_t2_stock, k);
        double* o_cn = series(o_cn_stock, k);
        double* o_use = series(o_cn_usable, k);
        double* o_ratio = series(o_compute_ratio, k);
        double* o_legal = series(o_cn_legal_imports, k);
        double* o_smug = series(o_cn_smuggled, k);
        double* o_dom = series(o_cn_domestic, k);
        double* o_dom_chips = series(o_cn_domestic_chips, k);
        double* o_hbm = series(o_cn_hbm_stock, k);
        double* o_us_run = series(o_us_largest_run, k);
        double* o_cn_run = series(o_cn_largest_run, k);
        double* o_us_eff = series(o_us_effective_run, k);
        double* o_cn_eff = series(o_cn_effective_run, k);
        double* o_rev = series(o_revenue, k);
        double* o_forgone = series(o_revenue_forgone, k);
        double* o_cost = series(o_cn_cost_multiplier, k);
        double* o_chips = series(o_us_chips, k);
        double* o_controlled = series(o_us_controlled_stock, k);
        double* o_controlled_ratio = series(o_us_controlled_ratio, k);
        double* o_trusted = series(o_trusted_shipments, k);
        double* o_stack = series(o_us_stack_share, k);
        double* o_self = series(o_cn_self_sufficiency, k);
        double* o_smug_share = series(o_cn_smuggled_share, k);
        double* o_rev_us = series(o_revenue_us, k);
        double* o_rev_t2 = series(o_revenue_tier2, k);
        double* o_rev_cn = series(o_revenue_china, k);
        double* o_fees = series(o_fees_paid, k);
        double* o_aligned = series(o_t2_cn_aligned, k);
        double* o_exports = series(o_cn_exports, k);
        double* o_t2_cn = series(o_t2_cn_stock, k);
        double* o_inference = series(o_cn_inference_stock, k);
        double* o_inf_ratio = series(o_inference_ratio, k);
        double* o_power = series(o_us_power, k);

        // The conditions above as numbers: a select on a comparison made inside the loop
        // vectorises, one on a bool computed outside it does not (GCC 12).
        const double on_rd_funded = rd_funded ? 1.0 : 0.0;
        const double on_units_slowing = units_slowing ? 1.0 : 0.0;
        const double on_cn_market = cn_market ? 1.0 : 0.0;
        const double on_t2_v2 = t2_v2 ? 1.0 : 0.0;
        const double on_trusted_on = trusted_on ? 1.0 : 0.0;
        const double on_power_bound = power_bound ? 1.0 : 0.0;
        const double on_smuggling_capped = smuggling_capped ? 1.0 : 0.0;
        const double on_shared_t2 = shared_t2 ? 1.0 : 0.0;
        const double on_trusted_ever = trusted_ever ? 1.0 : 0.0;
        const double on_money_v2 = money_v2 ? 1.0 : 0.0;
        // Every array is distinct (inputs, outputs and the carried state), which the compiler
        // cannot prove on its own; vector and scalar code give the same bits (no contraction).
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            // 1. Supply of US-designed accelerators; R&D funded by revenue sets the
            // performance exponent (pw_perf carries g^Λ, pw_units u^k).
            // Every load comes before the selects: a load under a condition (a masked load)
            // keeps the loop scalar.
            const double p_funded = supply[i] * pw_units[i] * pw_perf[i];
            const double p_v1 = supply[i] * pw_supply[i];
            const double rd = rd_el[i];
            // An infinite half-life (d = 1) is growth that holds: version 1's supply.
            const double slowing = (on_units_slowing != 0.0) & (units_decay[i] != 1.0);
            const double p_total =
                ((on_rd_funded != 0.0) & (rd != 0.0)) | (slowing != 0.0) ? p_funded : p_v1;
            const double e_us = perf0[i] * pw_perf[i];
            const double price = price0[i] / pw_price[i];
            const double d_cn = cn_share[i] * p_total;
            const double d_t2 = t2_share[i] * p_total;
            const double d_us = p_total - d_cn - d_t2;

            // 2. Legal sales to China, as much as China accepts and the product allows.
            // At neutral levers (acceptance 1, capacity multiplier 1, no share cap) every step
            // is exact: 1·x/1 = x, and min(x, NaN or inf) = x. Version 1's bits, no select.
            const double accepted = std::min(accept * d_cn / c_legal, cap_cn);
            const double legal = std::min(accepted, legal_share_cap * std::max(0.0, d_us));
            const double legal_capacity = c_legal * legal;

            // 3. China's domestic capacity, bound by logic dies or by HBM.
            const double boost = boost_k[i];
            const double yield = yield_max[i] - (yield_max[i] - yield0[i]) * pw_yield_gap[i];
            const double logic = chips0[i] * pw_chips[i] * boost * yield / yield0[i];
            const double avail = hbm[i] + hbm0[i] * pw_hbm[i];
            const double chips_cn = std::min(logic, avail / hbm_per_chip[i]);
            // pw_cn_perf carries cn_chip_perf_growth^(ℓ(1) + … + ℓ(k)): learning acts on the
            // rate of progress, not on the level reached.
            const double e_cn = cn_perf0[i] * pw_cn_perf[i];
            const double dom_cap = chips_cn * e_cn;

            // 4. China's buyers, exports to aligned Tier-2 demand, what China adds at home.
            const double dem_home = std::max(mandate[i] * dom_cap, dom_cap - crowd_out[i] * legal);
            const double slack = dom_cap - dem_home;
            const double d_t2_cn = sigma[i] * (1.0 - trusted) * d_t2;
            // Exports come from capacity China's buyers leave and a share of what they take, so
            // never from more than China makes.
            const double exportable = std::min(d_t2_cn, slack + export_max[i] * dem_home);
            const double exports = (on_cn_market != 0.0) ? exportable : 0.0;
            const double dom_home = std::min(dem_home, dom_cap - exports);
            const double domestic = (on_cn_market != 0.0) ? dom_home : dom_cap;
            // Chips made = capacity less the idle part: exact when nothing is idle (HBM then
            // never goes below zero by rounding).
            const double chips_made_v2 = chips_cn - (dom_cap - dom_home - exports) / e_cn;
            const double chips_made = (on_cn_market != 0.0) ? chips_made_v2 : chips_cn;
            hbm[i] = avail - hbm_per_chip[i] * chips_made;

            // 5. Tier 2: the trusted channel takes its share first; the rest, less what China
            // serves, meets version 1's rules.
            const double d_trusted = trusted * d_t2;
            const double d_rest = (on_t2_v2 != 0.0) ? d_t2 - d_trusted - exports : d_t2;
            const double lpp_share = lpp_share0[i] * lpp_factor[i]; // factor 1 exactly at reference
            const double small = lpp_share * d_rest;
            // Loads stay outside the selects: a load under a condition keeps the loop scalar.
            const double quota = capped[i] * cap_t2 + exempt;
            const double shipped_rest = uncapped ? d_rest : small + std::min(d_rest - small, quota);
            const double shipped_trusted =
                (on_trusted_on != 0.0)
                    ? std::min(d_trusted, trusted_cap + uveu * std::max(0.0, d_us))
                    : 0.0;
            const double shipped_t2 =
                (on_trusted_on != 0.0) ? shipped_rest + shipped_trusted : shipped_rest;
            const double blocked = (d_t2 - shipped_t2) + (d_cn - legal_capacity);
            const double resold = realloc[i] * blocked;

            // 6. The US bloc buys no more than it can power.
            const double keep = 1.0 - 1.0 / lifetime[i];
            const double w_k = kw0[i] / pw_efficiency[i];
            const double powered = std::max(0.0, power0[i] * pw_power[i] - keep * w_us[i]) / w_k;
            const double wanted_us = d_us + resold;
            const double sold_us =
                (on_power_bound != 0.0) ? std::min(wanted_us, powered) : wanted_us;
            const double forgone = (on_power_bound != 0.0)
                                       ? blocked - resold + (wanted_us - sold_us)
                                       : blocked - resold;

            // 7. Leakage to China, capped by China's unmet demand and the network's capacity.
            // Trusted shipments leak at their own, lower rate.
            const double m = enforcement_factor[i] * leak_mult;
            const double x_trusted = m * trusted_leak[i] * leak[i] * shipped_trusted;
            const double leak_rate = leak[i], lpp_leak_rate = lpp_leak[i];
            const double x_t2 =
                (on_trusted_on != 0.0)
                    ? m * (leak_rate * (shipped_rest - small) + lpp_leak_rate * small) + x_trusted
                    : m * (leak_rate * (shipped_t2 - small) + lpp_leak_rate * small);
            const double x_us = m * direct_leak[i] * sold_us;
            const double x_raw = x_t2 + x_us;
            const double room = std::max(0.0, d_cn - legal_capacity);
            const double s_room = x_raw > room ? room / x_raw : 1.0;
            const double capacity = smuggling_cap0[i] * pw_smuggling_capacity[i] * m;
            // x_raw = 0 gives inf or NaN here, and std::min keeps s_room then.
            const double s_x =
                (on_smuggling_capped != 0.0) ? std::min(s_room, capacity / x_raw) : s_room;
            const double smuggled = s_x * x_raw;
            const double add_us = sold_us - s_x * x_us;
            const double add_t2 = shipped_t2 - s_x * x_t2;
            const double add_cn_imports = legal + smuggled;

            // 8. Stocks, by where they sit and who controls them; access; training runs.
            k_us[i] = keep * k_us[i] + add_us;
            k_t2[i] = keep * k_t2[i] + add_t2;
            k_cn[i] = keep * k_cn[i] + add_cn_imports + domestic;
            // US firms operate part of what the trusted channel ships; China rents from it
            // only at the trusted channel's lower rate.
            k_t2us[i] = keep * k_t2us[i] + us_operated[i] * (shipped_trusted - s_x * x_trusted);
            k_t2cn[i] = keep * k_t2cn[i] + exports;
            k_cn_dom[i] = keep * k_cn_dom[i] + domestic;
            ki_cn[i] =
                keep * ki_cn[i] + legal_inference * legal + smuggled + dom_inference[i] * domestic;
            w_us[i] = keep * w_us[i] + add_us * w_k;
            const double rho = cloud[i] * (1.0 - kyc);
            const double usable_v2 = k_cn[i] + rho * (k_t2[i] - k_t2us[i]) +
                                     rho * trusted_leak[i] * k_t2us[i] +
                                     cn_stack_access[i] * k_t2cn[i];
            const double usable_v1 = k_cn[i] + rho * k_t2[i];
            const double usable = (on_shared_t2 != 0.0) ? usable_v2 : usable_v1;
            const double us_stock = k_us[i];
            const double controlled_v2 = us_stock + k_t2us[i];
            const double controlled = (on_trusted_ever != 0.0) ? controlled_v2 : us_stock;
            const double run_scale = 1e6 * mfu_[i] * h100_flop_per_s * days[i] * seconds_per_day;
            const double c_us = us_f[i] * k_us[i] * run_scale;
            const double c_cn = cn_f[i] * usable * run_scale;
            const double a = pw_algo[i];

            // 9. Money.
            // Version 2's revenue is summed from sales, so that no sales give exactly 0 (a
            // difference of totals leaves rounding noise that R&D funding would amplify).
            const double revenue =
                (on_money_v2 != 0.0)
                    ? price * (sold_us + shipped_t2) + legal_price * price * legal * (1.0 - fee)
                    : price * (p_total - forgone) - fee * price * legal;
            const double price_cn = cn_price0[i] / e_cn;
            const double cn_supply = legal + smuggled + domestic;
            const double legal_paid =
                (on_money_v2 != 0.0) ? legal_price * legal * price : legal * price;
            const double paid =
                legal_paid + smuggled * price * (1.0 + premium[i]) + domestic * price_cn;
            const double cost_cn = cn_supply == 0.0 ? price_cn : paid / cn_supply;
            rho_rev[i] = std::min(1.0, std::max(0.0, revenue / (price * p_total)));

            // 10. Tier-2 demand for US chips that was blocked turns, in part, to China's.
            const double wanted_t2 = d_trusted + d_rest;
            const double blocked_share =
                wanted_t2 > 0.0 ? (wanted_t2 - shipped_t2) / wanted_t2 : 0.0;
            sigma[i] += (1.0 - sigma[i]) * switch_rate[i] * blocked_share * (1.0 - deterrence);

            o_us[i] = k_us[i];
            o_t2[i] = k_t2[i];
            o_cn[i] = k_cn[i];
            o_use[i] = usable;
            o_ratio[i] = k_us[i] / usable;
            o_legal[i] = legal;
            o_smug[i] = smuggled;
            o_dom[i] = domestic;
            o_dom_chips[i] = chips_made;
            o_hbm[i] = hbm[i];
            o_us_run[i] = c_us;
            o_cn_run[i] = c_cn;
            o_us_eff[i] = c_us * a;
            o_cn_eff[i] = c_cn * a * cn_algo[i];
            o_rev[i] = revenue;
            o_forgone[i] = price * p_total - revenue;
            o_cost[i] = cost_cn / (price * cn_algo[i]);
            o_chips[i] = p_total / e_us;
            o_controlled[i] = controlled;
            o_controlled_ratio[i] = controlled / usable;
            o_trusted[i] = shipped_trusted;
            o_stack[i] = (k_us[i] + k_t2[i] + (k_cn[i] - k_cn_dom[i])) /
                         (k_us[i] + k_t2[i] + k_cn[i] + k_t2cn[i]);
            o_self[i] = domestic / cn_supply;
            o_smug_share[i] = smuggled / cn_supply;
            o_rev_us[i] = price * sold_us;
            o_rev_t2[i] = price * shipped_t2;
            o_rev_cn[i] = (on_money_v2 != 0.0) ? legal_price * price * legal : price * legal;
            o_fees[i] = fee * o_rev_cn[i];
            o_aligned[i] = sigma[i];
            o_exports[i] = exports;
            o_t2_cn[i] = k_t2cn[i];
            o_inference[i] = ki_cn[i];
            o_inf_ratio[i] = k_us[i] / (usable - k_cn[i] + ki_cn[i]);
            o_power[i] = w_us[i];
            cum_x[i] += smuggled;
            cum_forgone[i] += o_forgone[i];
            made[i] += chips_made;
            could[i] += chips_cn;
        }
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            pw_supply[i] *= units_g[i] * perf_g[i];
            pw_algo[i] *= algo[i];
            pw_yield_gap[i] *= yield_decay[i];
            pw_boost[i] *= 1.0 + subst[i] * stringency;
            pw_smuggling_capacity[i] *= smuggling_cap_g[i];
            pw_power[i] *= power_g[i];
            pw_efficiency[i] *= efficiency_g[i];
        }
        // Growth that slows (a finite half-life) needs u^τ; growth that holds multiplies by u.
        if (units_slowing)
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                units_years[i] += units_rate[i];
                units_rate[i] *= units_decay[i];
                const double slowed = numeric::exp(units_years[i] * ln_units_g[i]);
                const double held = pw_units[i] * units_g[i];
                pw_units[i] = units_decay[i] != 1.0 ? slowed : held;
            }
        else
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i)
                pw_units[i] *= units_g[i];
        if (cn_slowing)
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                cn_years[i] += cn_rate[i];
                cn_rate[i] *= cn_decay[i];
                const double chips_slowed = numeric::exp(cn_years[i] * ln_chips_g[i]);
                const double hbm_slowed = numeric::exp(cn_years[i] * ln_hbm_g[i]);
                const double chips_held = pw_chips[i] * chips_g[i];
                const double hbm_held = pw_hbm[i] * hbm_g[i];
                pw_chips[i] = cn_decay[i] != 1.0 ? chips_slowed : chips_held;
                pw_hbm[i] = cn_decay[i] != 1.0 ? hbm_slowed : hbm_held;
            }
        else
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                pw_chips[i] *= chips_g[i];
                pw_hbm[i] *= hbm_g[i];
            }
        // Next year's R&D-funded progress and China's learning: g^λ as exp(λ · ln g), which
        // vectorises (std::pow does not). λ = 1 exactly (no R&D funding, full revenue; no
        // learning, nothing idle) multiplies by g: version 1's bits.
        if (rd_funded)
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                const double funded = numeric::exp(rd_el[i] * numeric::log(rho_rev[i]));
                const double lambda = (rd_el[i] == 0.0) | (rho_rev[i] == 1.0) ? 1.0 : funded;
                const double perf_slowed = numeric::exp(lambda * ln_perf_g[i]);
                const double price_slowed = numeric::exp(lambda * ln_pp_g[i]);
                const double perf_step = lambda == 1.0 ? perf_g[i] : perf_slowed;
                const double price_step = lambda == 1.0 ? pp_g[i] : price_slowed;
                pw_perf[i] *= perf_step;
                pw_price[i] *= price_step;
            }
        else
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                pw_perf[i] *= perf_g[i];
                pw_price[i] *= pp_g[i];
            }
        if (learning)
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                // Nothing makeable yet (cn_chips_2025 = 0): nothing idle, full progress.
                const double share = made[i] / could[i];
                const double partial = numeric::exp(learning_el[i] * numeric::log(share));
                const double l =
                    (could[i] > 0.0) & (share != 1.0) & (learning_el[i] != 0.0) ? partial : 1.0;
                const double slowed = numeric::exp(l * ln_cn_perf_g[i]);
                pw_cn_perf[i] *= l == 1.0 ? cn_perf_g[i] : slowed;
            }
        else
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i)
                pw_cn_perf[i] *= cn_perf_g[i];
    }

    // The gap needs next year's US growth for the first year, so it comes after the loop.
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    double* first_below = out.column(scalar0 + 2).data();
    for (std::size_t i = 0; i < n; ++i)
        first_below[i] = static_cast<double>(years_.back() + 1);
    for (std::size_t k = years; k-- > 0;) {
        const double* e_us = series(o_us_effective_run, k);
        const double* e_cn = series(o_cn_effective_run, k);
        const double* e_us_prev = series(o_us_effective_run, k == 0 ? 0 : k - 1);
        const double* e_us_next = series(o_us_effective_run, k == 0 ? 1 : k);
        double* gap = series(o_frontier_gap_years, k);
        const double year = static_cast<double>(years_[k]);
        // numeric::log, unlike std::log, lets this loop vectorise.
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            const double growth = k == 0 ? e_us_next[i] / e_us[i] : e_us[i] / e_us_prev[i];
            const double g = numeric::log(e_us[i] / e_cn[i]) / numeric::log(growth);
            gap[i] = growth > 1.0 ? g : nan;
            // Walking backwards, the last year written is the first year below 1.
            first_below[i] = gap[i] < 1.0 ? year : first_below[i];
        }
    }
    std::copy_n(cum_x, n, out.column(scalar0).begin());
    std::copy_n(cum_forgone, n, out.column(scalar0 + 1).begin());
}

namespace {

/// Where a parameter's value may lie for the equations to make sense (docs/model.md section 4).
ValueRange parameter_range(std::string_view name) {
    static const std::array<std::string_view, 20> shares{
        "china_demand_share",  "tier2_demand_share",    "tier2_lpp_share",
        "reallocation_rate",   "leakage_rate",          "lpp_leakage_rate",
        "direct_leakage_rate", "cloud_access_share",    "cn_yield_max",
        "us_largest_share",    "cn_largest_share",      "mfu",
        "trusted_leak_mult",   "trusted_us_operated",   "t2_switch_rate",
        "t2_cn_aligned_2024",  "cn_export_share_max",   "cn_stack_cloud_access",
        "cn_mandate_share",    "cn_domestic_share_2024"};
    static const std::array<std::string_view, 23> positive{"smuggling_capacity_2025",
                                                           "smuggling_capacity_growth",
                                                           "us_units_growth",
                                                           "us_chip_perf_growth",
                                                           "price_performance_growth",
                                                           "cn_chips_growth",
                                                           "cn_hbm_growth",
                                                           "cn_chip_perf_growth",
                                                           "algo_progress",
                                                           "us_chip_perf_2025",
                                                           "us_price_2025",
                                                           "cn_yield_halflife",
                                                           "cn_hbm_per_chip",
                                                           "cn_chip_perf_2025",
                                                           "cn_algo_factor",
                                                           "us_power_2025",
                                                           "us_power_growth",
                                                           "kw_per_h100e_2025",
                                                           "energy_efficiency_growth",
                                                           "cn_domestic_inference_mult",
                                                           "cn_inference_mult_2024",
                                                           "us_units_growth_halflife",
                                                           "cn_output_growth_halflife"};
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (name == "cn_yield_2025") // a share that is also a divisor (the yield formula)
        return {0, 1, true, false, false, "a share in (0, 1]"};
    if (std::find(shares.begin(), shares.end(), name) != shares.end())
        return ValueRange::share();
    if (name == "hardware_lifetime") // delta = 1/lifetime must not exceed 1
        return {1, inf, false, false, false, "at least 1 year"};
    if (std::find(positive.begin(), positive.end(), name) != positive.end())
        return ValueRange::positive();
    return ValueRange::non_negative();
}

/// The values a lever may take (docs/model.md section 3).
ValueRange lever_range(Lever lever) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    auto range = [](double low, bool low_open, bool allow_inf, const char* what) {
        return ValueRange{low, inf, low_open, false, allow_inf, what};
    };
    switch (lever) {
    case Lever::china_legal_cap:
        return range(0, false, true, "a cap (M H100e/yr) >= 0, or inf");
    case Lever::tier2_country_cap:
        return range(0, false, true, "a cap (M H100e/yr per country) >= 0, or inf");
    case Lever::tier2_exempt_capacity:
        return range(0, false, true, "a capacity (M H100e/yr) >= 0, or inf");
    case Lever::lpp_threshold:
        return range(0, false, true, "a threshold (H100e per customer per year) >= 0, or inf");
    case Lever::enforcement:
        return range(0, true, false, "a multiple of FY2024 enforcement resources > 0");
    case Lever::leakage_multiplier:
    case Lever::legal_inference_mult:
        return range(0, false, false, "a finite multiplier >= 0");
    case Lever::cloud_kyc:
    case Lever::stringency:
    case Lever::china_fee:
    case Lever::trusted_share:
    case Lever::cn_import_accept:
    case Lever::cn_stack_deterrence:
        return ValueRange::share();
    case Lever::trusted_cap:
        return range(0, false, true, "a capacity (M H100e/yr) >= 0, or inf");
    case Lever::uveu_share:
        return range(0, false, false, "a finite share of US and Tier-1 demand >= 0");
    case Lever::legal_capacity_mult:
    case Lever::legal_price_mult:
        return range(0, true, false, "a finite multiplier > 0");
    case Lever::china_legal_share:
        return range(0, false, true, "a share of US and Tier-1 demand >= 0, or inf");
    }
    return ValueRange::non_negative();
}

} // namespace

ModelDefinition compute_race_definition() {
    ModelDefinition d;
    d.name = "compute_race";
    d.description = "yearly stock-and-flow model of AI compute held by the US with its Tier-1 "
                    "allies, Tier-2 countries and China, under export-control levers";
    d.version = compute_race_version;
    const ValueRange calendar_year{1900, 3000, false, false, false, "a calendar year (an integer)"};
    d.settings = {
        {"start_year", SettingSpec::Kind::integer, "first model year", calendar_year, false, 2025},
        {"end_year", SettingSpec::Kind::integer, "last model year", calendar_year, false, 2035},
    };
    const auto& names = compute_race_parameter_names();
    for (std::size_t j = 0; j < names.size(); ++j) {
        ParameterSpec p;
        p.name = names[j];
        p.range = parameter_range(names[j]);
        p.required = j < compute_race_required_parameter_count;
        if (!p.required)
            p.neutral = compute_race_neutral_value(j);
        d.parameters.push_back(std::move(p));
    }
    for (std::size_t l = 0; l < lever_count; ++l) {
        LeverSpec lever;
        lever.name = lever_names()[l];
        lever.range = lever_range(static_cast<Lever>(l));
        lever.required = l < required_lever_count;
        if (!lever.required)
            lever.neutral = lever_neutral_value(static_cast<Lever>(l));
        d.levers.push_back(std::move(lever));
    }
    d.outputs = make_outputs();
    d.headline_outputs = {"compute_ratio", "frontier_gap_years", "cn_smuggled"};
    d.headline_years = {2027, 2030};
    d.default_priors = "experiments/priors/default.toml";
    d.years = [](const SettingValues& s) {
        std::vector<int> years;
        for (auto y = s.integer("start_year"); y <= s.integer("end_year"); ++y)
            years.push_back(static_cast<int>(y));
        return years;
    };
    d.check = [](const SettingValues& s, std::span<const std::string> sampled) {
        std::vector<ModelProblem> problems;
        if (s.integer("end_year") <= s.integer("start_year"))
            problems.push_back({ModelProblem::At::setting, "end_year",
                                "[model] end_year must be after start_year"});
        // The power bound divides by the power each H100e draws (docs/model.md section 9.7).
        const auto has = [&](std::string_view name) {
            return std::find(sampled.begin(), sampled.end(), name) != sampled.end();
        };
        if (has("us_power_2025") && !has("kw_per_h100e_2025"))
            problems.push_back({ModelProblem::At::parameter, "us_power_2025",
                                "parameter 'us_power_2025' (the US power bound) needs "
                                "'kw_per_h100e_2025', the power one H100e draws"});
        return problems;
    };
    d.build = [](const ModelArguments& a) -> std::shared_ptr<const Model> {
        std::array<std::size_t, compute_race_parameter_count> index{};
        std::copy(a.parameter_index.begin(), a.parameter_index.end(), index.begin());
        return std::make_shared<ComputeRace>(a.years.front(), a.years.back(), a.policies, index);
    };
    return d;
}

} // namespace chiprace::model
