// fab_sme: China's domestic AI-accelerator supply as fab capacity, tool imports and HBM, under
// controls on semiconductor manufacturing equipment (SME) and on high-bandwidth memory (HBM).
// A plug-in built out of chiprace's tree (README.md next to this file has the equations, the
// evidence behind every prior and what the model leaves out).
//
// Pure and block-wise: parameters arrive as columns (structure of arrays), the year loop is
// outside and the loop over the block inside, so that each year's arithmetic vectorises; no
// I/O, no MPI, no random numbers.

#include "chiprace/model/plugin.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace {

namespace cm = chiprace::model;

// The model's parameters, in the order of the definition (and of priors.toml).
enum Parameter : std::size_t {
    wafer_starts_2025,
    planned_additions,
    import_share_2025,
    domestic_substitution,
    control_leakage,
    yield_2025,
    yield_mature,
    yield_learning,
    ai_wafer_share,
    hbm_stacks_per_accelerator,
    cn_hbm_2025,
    cn_hbm_growth,
    cn_hbm_max,
    hbm_imports,
    h100e_per_accelerator,
    perf_growth,
    depreciation,
    parameter_count
};

enum LeverIndex : std::size_t { sme_tool_controls, sme_enforcement, hbm_export_controls };

// Output order: columns follow it (a series takes one column per year).
enum OutputIndex : std::size_t {
    out_wafer_starts,
    out_yield,
    out_ai_dies,
    out_hbm_stacks,
    out_accelerators,
    out_cn_h100e,
    out_cn_stock,
    out_hbm_bound,
    out_cum_h100e,
};

constexpr double wafer_diameter_mm = 300.0;

// std::min and std::max return references, which keep GCC 12 from vectorising the loops
// below; these return values, with the same results (NaN included).
inline double at_most_one(double v) {
    return v < 1.0 ? v : 1.0;
}
inline double at_most(double cap, double v) {
    return v < cap ? v : cap;
}
inline double at_least(double floor, double v) {
    return floor < v ? v : floor;
}

/// Gross die candidates on a 300 mm wafer for a die of this area: the wafer's area over the
/// die's, less the partial dies along the edge (the usual first-order estimate).
double gross_dies_per_wafer(double die_area_mm2) {
    const double r = wafer_diameter_mm / 2.0;
    return std::numbers::pi * r * r / die_area_mm2 -
           std::numbers::pi * wafer_diameter_mm / std::sqrt(2.0 * die_area_mm2);
}

std::vector<cm::OutputSpec> output_specs() {
    return {
        {"wafer_starts", "k wafers/month",
         "China's advanced-node (7/5 nm-class) wafer-start capacity", true},
        {"yield", "share", "share of AI-accelerator dies on a wafer that work", true},
        {"ai_dies", "M dies/yr", "good AI-accelerator logic dies made in China", true},
        {"hbm_stacks", "M stacks/yr", "HBM stacks available to China: domestic plus imported",
         true},
        {"accelerators", "M chips/yr",
         "packaged AI accelerators: the fewer of what the dies and the HBM allow", true},
        {"cn_h100e", "M H100e/yr", "China's domestic accelerator output in H100-equivalents", true},
        {"cn_stock", "M H100e",
         "stock of domestically made accelerators from the first model year on, after "
         "depreciation",
         true},
        {"hbm_bound", "1", "1 when HBM, not logic dies, limits the year's accelerators, else 0",
         true, true},
        {"cum_h100e", "M H100e", "domestic accelerator output summed over the model's years",
         false},
    };
}

std::vector<cm::ParameterSpec> parameter_specs();

class FabSme final : public cm::Model {
public:
    FabSme(std::vector<int> years, std::vector<cm::Policy> policies,
           std::vector<std::size_t> parameter_index, double dies_per_wafer,
           double dies_per_accelerator)
        : years_(std::move(years)), policies_(std::move(policies)),
          index_(std::move(parameter_index)), dies_per_wafer_(dies_per_wafer),
          dies_per_accelerator_(dies_per_accelerator), outputs_(output_specs()) {
        for (const auto& spec : parameter_specs())
            neutral_.push_back(spec.neutral);
    }

    [[nodiscard]] std::string name() const override { return "fab_sme"; }
    [[nodiscard]] int version() const override { return 1; }
    [[nodiscard]] const std::vector<cm::OutputSpec>& outputs() const override { return outputs_; }
    [[nodiscard]] std::span<const int> years() const override { return years_; }
    [[nodiscard]] std::size_t variant_count() const override { return policies_.size(); }
    [[nodiscard]] std::string variant_name(std::size_t v) const override {
        return policies_[v].name;
    }

    void evaluate(std::size_t variant, const cm::InputBlock& in,
                  cm::OutputBlock& out) const override;

private:
    /// Parameter p's column, or a column of its neutral value when it is not sampled.
    [[nodiscard]] std::span<const double> column(const cm::InputBlock& in, Parameter p,
                                                 std::vector<double>& neutral) const;

    std::vector<int> years_;
    std::vector<cm::Policy> policies_;
    std::vector<std::size_t> index_;
    std::vector<double> neutral_; // of each parameter; NaN for a required one
    double dies_per_wafer_;
    double dies_per_accelerator_;
    std::vector<cm::OutputSpec> outputs_;
};

std::span<const double> FabSme::column(const cm::InputBlock& in, Parameter p,
                                       std::vector<double>& neutral) const {
    if (index_[p] != cm::absent_parameter)
        return in.column(index_[p]);
    neutral.assign(in.size(), neutral_[p]);
    return neutral;
}

void FabSme::evaluate(std::size_t variant, const cm::InputBlock& in, cm::OutputBlock& out) const {
    const std::size_t n = in.size();
    const std::size_t T = years_.size();
    const cm::Policy& policy = policies_[variant];

    std::array<std::vector<double>, parameter_count> neutral;
    std::array<std::span<const double>, parameter_count> x;
    for (std::size_t p = 0; p < parameter_count; ++p)
        x[p] = column(in, static_cast<Parameter>(p), neutral[p]);

    // The columns as plain arrays for the year loops below.
    const double* const leakage = x[control_leakage].data();
    const double* const substitution = x[domestic_substitution].data();
    const double* const additions = x[planned_additions].data();
    const double* const hbm_max = x[cn_hbm_max].data();
    const double* const hbm_growth = x[cn_hbm_growth].data();
    const double* const learning = x[yield_learning].data();
    const double* const growth = x[perf_growth].data();
    const double* const mature = x[yield_mature].data();
    const double* const ai_share = x[ai_wafer_share].data();
    const double* const imports = x[hbm_imports].data();
    const double* const stacks_per_chip = x[hbm_stacks_per_accelerator].data();
    const double* const retire = x[depreciation].data();

    // State of each sample (structure of arrays), carried from year to year.
    std::vector<double> capacity_v(x[wafer_starts_2025].begin(), x[wafer_starts_2025].end());
    std::vector<double> hbm_v(x[cn_hbm_2025].begin(), x[cn_hbm_2025].end());
    std::vector<double> import_v(x[import_share_2025].begin(), x[import_share_2025].end());
    std::vector<double> gap_v(n);
    std::vector<double> perf_v(x[h100e_per_accelerator].begin(), x[h100e_per_accelerator].end());
    std::vector<double> stock_v(n, 0.0), cumulative_v(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        gap_v[i] = x[yield_mature][i] - x[yield_2025][i];
    double* const capacity = capacity_v.data();
    double* const hbm_domestic = hbm_v.data();
    double* const import_share = import_v.data();
    double* const yield_gap = gap_v.data();
    double* const perf = perf_v.data();
    double* const stock = stock_v.data();
    double* const cumulative = cumulative_v.data();

    const auto series = [&](OutputIndex o, std::size_t k) {
        return out.column(first_column(o) + k).data();
    };
    // k wafers/month → M good dies/yr: 12 months × 1e3 wafers ÷ 1e6.
    const double dies_scale = 12.0 * 1e3 / 1e6 * dies_per_wafer_;
    const double per_accelerator = 1.0 / dies_per_accelerator_;

    for (std::size_t k = 0; k < T; ++k) {
        const double tool_controls = policy.at(sme_tool_controls, k);
        const double enforcement = policy.at(sme_enforcement, k);
        const double hbm_controls = policy.at(hbm_export_controls, k);
        if (k > 0) {
            // The year's new capacity, HBM output, yield and design. Every array is distinct
            // (inputs, outputs, state), which the compiler cannot prove: `omp simd` says so
            // (built with -fopenmp-simd; vector and scalar code give the same bits).
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                // What the controls keep out: the blocked share, less what leaks through at
                // this enforcement (leakage is the share that gets through at 2024's).
                const double leak = at_most_one(leakage[i] / enforcement);
                const double tools_blocked = tool_controls * (1.0 - leak);
                // A new line needs every tool: the blocked share of its imported tools is the
                // share of the planned addition that cannot be built (Leontief). Domestic
                // substitution shrinks the imported share year by year.
                import_share[i] *= 1.0 - substitution[i];
                const double buildable = 1.0 - import_share[i] * tools_blocked;
                capacity[i] += additions[i] * buildable;
                // HBM lines are built from the same tools, up to what the DRAM maker's lines
                // can give to HBM. A cap, not a logistic step: a step that overshoots the
                // ceiling would let a slower path end higher than a faster one.
                const double grown = hbm_domestic[i] * (1.0 + (hbm_growth[i] - 1.0) * buildable);
                hbm_domestic[i] = at_least(hbm_domestic[i], at_most(hbm_max[i], grown));
                yield_gap[i] *= 1.0 - learning[i];
                perf[i] *= growth[i];
            }
        }
        double* const wafer_starts = series(out_wafer_starts, k);
        double* const yield = series(out_yield, k);
        double* const ai_dies = series(out_ai_dies, k);
        double* const hbm_stacks = series(out_hbm_stacks, k);
        double* const accelerators = series(out_accelerators, k);
        double* const cn_h100e = series(out_cn_h100e, k);
        double* const cn_stock = series(out_cn_stock, k);
        double* const hbm_bound = series(out_hbm_bound, k);
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            const double leak = at_most_one(leakage[i] / enforcement);
            const double hbm_blocked = hbm_controls * (1.0 - leak);
            const double y = mature[i] - yield_gap[i];
            const double dies = capacity[i] * ai_share[i] * dies_scale * y;
            const double stacks = hbm_domestic[i] + imports[i] * (1.0 - hbm_blocked);
            const double by_dies = dies * per_accelerator;
            const double by_hbm = stacks / stacks_per_chip[i];
            const double made = by_hbm < by_dies ? by_hbm : by_dies;
            const double h100e = made * perf[i];
            stock[i] = stock[i] * (1.0 - retire[i]) + h100e;
            cumulative[i] += h100e;
            wafer_starts[i] = capacity[i];
            yield[i] = y;
            ai_dies[i] = dies;
            hbm_stacks[i] = stacks;
            accelerators[i] = made;
            cn_h100e[i] = h100e;
            cn_stock[i] = stock[i];
            hbm_bound[i] = by_hbm < by_dies ? 1.0 : 0.0;
        }
    }
    const auto cum = out.column(first_column(out_cum_h100e));
    std::copy(cumulative_v.begin(), cumulative_v.end(), cum.begin());
}

cm::ValueRange range(double low, double high, const std::string& what) {
    return {low, high, false, false, false, what};
}

std::vector<cm::ParameterSpec> parameter_specs() {
    const auto share = cm::ValueRange::share();
    const auto positive = cm::ValueRange::positive();
    const auto non_negative = cm::ValueRange::non_negative();
    std::vector<cm::ParameterSpec> p(parameter_count);
    p[wafer_starts_2025] = {"wafer_starts_2025", "k wafers/month",
                            "advanced-node wafer-start capacity in the first model year", positive};
    p[planned_additions] = {"planned_additions", "k wafers/month per yr",
                            "advanced-node capacity China would add each year without controls",
                            non_negative};
    p[import_share_2025] = {"import_share_2025", "share",
                            "share of a new line's critical tools (lithography, etch, "
                            "deposition) that must be imported, first model year",
                            share};
    p[domestic_substitution] = {"domestic_substitution",
                                "share/yr",
                                "share of the imported tool content replaced by domestic tools "
                                "each year",
                                share,
                                false,
                                0.0};
    p[control_leakage] = {"control_leakage",
                          "share",
                          "share of controlled tools and HBM that reach China anyway at 2024's "
                          "enforcement (smuggling, stockpiles, servicing)",
                          share,
                          false,
                          0.0};
    p[yield_2025] = {"yield_2025", "share",
                     "yield of a large AI-accelerator die in the first model year",
                     range(0.0, 1.0, "a share in (0, 1]")};
    p[yield_2025].range.low_open = true;
    p[yield_mature] = {"yield_mature", "share", "yield the process learns its way towards",
                       range(0.0, 1.0, "a share in (0, 1]")};
    p[yield_mature].range.low_open = true;
    p[yield_learning] = {"yield_learning", "share/yr",
                         "share of the gap to the mature yield closed each year", share};
    p[ai_wafer_share] = {"ai_wafer_share", "share",
                         "share of advanced-node wafer starts that go to AI accelerators", share};
    p[hbm_stacks_per_accelerator] = {"hbm_stacks_per_accelerator", "stacks/chip",
                                     "HBM stacks packaged with one accelerator", positive};
    p[cn_hbm_2025] = {"cn_hbm_2025", "M stacks/yr",
                      "domestic (CXMT) HBM output in the first model year", non_negative};
    p[cn_hbm_growth] = {"cn_hbm_growth", "x/yr",
                        "growth of domestic HBM output below its ceiling, with every tool it needs",
                        range(1.0, std::numeric_limits<double>::infinity(), "at least 1")};
    p[cn_hbm_max] = {"cn_hbm_max", "M stacks/yr",
                     "domestic HBM output the DRAM maker's lines can reach (a ceiling)", positive};
    p[hbm_imports] = {"hbm_imports",
                      "M stacks/yr",
                      "HBM stacks China would import each year without controls (including "
                      "stockpile draw-down)",
                      non_negative,
                      false,
                      0.0};
    p[h100e_per_accelerator] = {"h100e_per_accelerator", "H100e/chip",
                                "training performance of one accelerator relative to an H100, "
                                "first model year",
                                positive};
    p[perf_growth] = {
        "perf_growth", "x/yr", "growth of performance per accelerator at a fixed node (design)",
        positive,      false,  1.0};
    p[depreciation] = {"depreciation", "share/yr",
                       "share of the accelerator stock retired each year", share};
    return p;
}

std::vector<cm::LeverSpec> lever_specs() {
    return {
        {"sme_tool_controls", "share",
         "share of imported critical tools (lithography, etch, deposition) the controls block",
         cm::ValueRange::share()},
        {"sme_enforcement", "x FY2024",
         "enforcement resources as a multiple of 2024's; leakage falls in proportion",
         cm::ValueRange::positive(), false, 1.0},
        {"hbm_export_controls", "share", "share of HBM imports the controls block",
         cm::ValueRange::share()},
    };
}

} // namespace

chiprace::model::ModelDefinition fab_sme_definition() {
    cm::ModelDefinition d;
    d.name = "fab_sme";
    d.description = "China's domestic AI-accelerator supply from fab capacity, tool imports and "
                    "HBM under SME and HBM export controls";
    d.version = 1;
    using Kind = cm::SettingSpec::Kind;
    d.settings = {
        {"start_year", Kind::integer, "first model year", range(2000, 2100, "a year"), false, 2025},
        {"end_year", Kind::integer, "last model year", range(2000, 2100, "a year"), false, 2035},
        {"die_area_mm2", Kind::number, "area of one AI-accelerator logic die (Ascend 910B)",
         range(50, 858, "a die area in [50, 858] mm² (the reticle limit)"), false, 665.61},
        {"dies_per_accelerator", Kind::number,
         "logic dies packaged in one accelerator (2 for an Ascend 910C)",
         range(1, 16, "a number of dies in [1, 16]"), false, 2.0},
    };
    d.parameters = parameter_specs();
    d.levers = lever_specs();
    d.outputs = output_specs();
    d.default_priors = "priors.toml";
    d.years = [](const cm::SettingValues& s) {
        std::vector<int> years;
        for (auto t = s.integer("start_year"); t <= s.integer("end_year"); ++t)
            years.push_back(static_cast<int>(t));
        return years;
    };
    d.check = [](const cm::SettingValues& s, std::span<const std::string>) {
        std::vector<cm::ModelProblem> problems;
        if (s.integer("end_year") <= s.integer("start_year"))
            problems.push_back({cm::ModelProblem::At::setting, "end_year",
                                "end_year must be after start_year (" +
                                    std::to_string(s.integer("start_year")) + ")"});
        return problems;
    };
    d.build = [](const cm::ModelArguments& a) -> std::shared_ptr<const cm::Model> {
        return std::make_shared<FabSme>(a.years, a.policies, a.parameter_index,
                                        gross_dies_per_wafer(a.settings.number("die_area_mm2")),
                                        a.settings.number("dies_per_accelerator"));
    };
    return d;
}

CHIPRACE_PLUGIN(fab_sme_definition)
