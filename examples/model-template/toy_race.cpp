// toy_race: the smallest chiprace model, to copy and make your own (README.md beside this file).
//
// US designers make `new_chips` M H100e of accelerators in the first year, `growth` times more
// each year after; a share `smuggled_share` of each year's chips would reach China, and the
// policy lever `enforcement` stops that share of the smuggling. Per year, the model reports the
// chips made and China's accumulated smuggled stock.
//
// A model is a pure function of a block of samples: no I/O, no MPI, no random numbers. chiprace
// samples the parameters, cuts the samples into blocks, and calls evaluate() once per block and
// policy, from any thread; the same sample must give the same bits in any block.

#include "chiprace/model/plugin.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace toy_race {

using chiprace::model::InputBlock;
using chiprace::model::Model;
using chiprace::model::ModelArguments;
using chiprace::model::ModelDefinition;
using chiprace::model::OutputBlock;
using chiprace::model::OutputSpec;
using chiprace::model::Policy;

namespace {

// In the order of the definition's parameters, levers and outputs below.
enum Parameter : std::size_t { new_chips, growth, smuggled_share };
enum Lever : std::size_t { enforcement };
enum Output : std::size_t { chips_made, china_stock };

class ToyRace final : public Model {
public:
    ToyRace(const ModelArguments& args, std::vector<OutputSpec> outputs, int version)
        : index_(args.parameter_index), years_(args.years), policies_(args.policies),
          outputs_(std::move(outputs)), version_(version) {}

    [[nodiscard]] std::string name() const override { return "toy_race"; }
    [[nodiscard]] int version() const override { return version_; }
    [[nodiscard]] const std::vector<OutputSpec>& outputs() const override { return outputs_; }
    [[nodiscard]] std::span<const int> years() const override { return years_; }
    [[nodiscard]] std::size_t variant_count() const override { return policies_.size(); }
    [[nodiscard]] std::string variant_name(std::size_t v) const override {
        return policies_[v].name;
    }

    // Year by year, each a loop over the block's samples with no branch and no call, which the
    // compiler turns into vector instructions. `omp simd` tells it what it cannot prove: the
    // columns are distinct arrays (chiprace_add_model compiles it with -fopenmp-simd, no
    // OpenMP runtime). The series' columns hold the recurrence's state (last year's chips and
    // stock), so nothing is allocated.
    void evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const override {
        const Policy& policy = policies_[variant];
        const std::size_t n = in.size();
        const double* first = in.column(index_[new_chips]).data();
        const double* rate = in.column(index_[growth]).data();
        const double* share = in.column(index_[smuggled_share]).data();
        const auto series = [&](Output o, std::size_t k) {
            return out.column(first_column(o) + k).data();
        };
        for (std::size_t k = 0; k < years_.size(); ++k) {
            const double leak = 1.0 - policy.at(enforcement, k);
            double* made = series(chips_made, k);
            double* stock = series(china_stock, k);
            if (k == 0) {
#pragma omp simd
                for (std::size_t i = 0; i < n; ++i) {
                    made[i] = first[i];
                    stock[i] = share[i] * leak * made[i];
                }
            } else {
                const double* made_before = series(chips_made, k - 1);
                const double* stock_before = series(china_stock, k - 1);
#pragma omp simd
                for (std::size_t i = 0; i < n; ++i) {
                    made[i] = made_before[i] * rate[i];
                    stock[i] = stock_before[i] + share[i] * leak * made[i];
                }
            }
        }
    }

private:
    std::vector<std::size_t> index_; // parameter -> its column among the experiment's
    std::vector<int> years_;
    std::vector<Policy> policies_;
    std::vector<OutputSpec> outputs_;
    int version_;
};

} // namespace

// Everything chiprace checks an experiment against before it runs the model: a mistyped key,
// a value out of range or a missing parameter is reported at its file:line:col from this.
ModelDefinition definition() {
    using chiprace::model::LeverSpec;
    using chiprace::model::ModelProblem;
    using chiprace::model::OutputEvent;
    using chiprace::model::ParameterSpec;
    using chiprace::model::SettingSpec;
    using chiprace::model::SettingValues;
    using chiprace::model::ValueRange;

    ModelDefinition d;
    d.name = "toy_race";
    d.description = "A stock of smuggled accelerators under one enforcement lever (a template)";
    d.version = 1;

    const ValueRange year{2000, 2200, false, false, false, "a year in [2000, 2200]"};
    d.settings = {
        {"start_year", SettingSpec::Kind::integer, "first year of the series", year, false, 2025},
        {"end_year", SettingSpec::Kind::integer, "last year of the series", year, false, 2035},
    };
    d.parameters = {
        {"new_chips", "M H100e/yr", "accelerators US designers make in the first year",
         ValueRange::positive()},
        {"growth", "x/yr", "yearly growth of the accelerators made", ValueRange::positive()},
        {"smuggled_share", "share", "share of each year's accelerators smuggled to China",
         ValueRange::share()},
    };
    d.levers = {
        {"enforcement", "share", "share of the smuggling that enforcement stops",
         ValueRange::share()},
    };
    d.outputs = {
        {"chips_made", "M H100e/yr", "accelerators US designers make each year", true},
        {"china_stock",
         "M H100e",
         "smuggled accelerators China holds at the end of each year",
         true,
         false,
         {{"above_1", OutputEvent::Comparison::greater, 1.0,
           "China holds more than 1 M H100e of smuggled accelerators"}}},
    };
    d.default_priors = "priors.toml"; // next to the plug-in (chiprace_add_model's PRIORS)

    d.years = [](const SettingValues& s) {
        std::vector<int> years;
        for (auto t = s.integer("start_year"); t <= s.integer("end_year"); ++t)
            years.push_back(static_cast<int>(t));
        return years;
    };
    // What the schema cannot say: reported at end_year's place in the file.
    d.check = [](const SettingValues& s, std::span<const std::string>) {
        std::vector<ModelProblem> problems;
        if (s.integer("end_year") < s.integer("start_year"))
            problems.push_back({ModelProblem::At::setting, "end_year",
                                "end_year (" + std::to_string(s.integer("end_year")) +
                                    ") is before start_year (" +
                                    std::to_string(s.integer("start_year")) + ")"});
        return problems;
    };
    d.build = [outputs = d.outputs, version = d.version](const ModelArguments& args) {
        return std::make_shared<const ToyRace>(args, outputs, version);
    };
    return d;
}

} // namespace toy_race

CHIPRACE_PLUGIN(toy_race::definition)
