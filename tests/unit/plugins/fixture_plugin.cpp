// Plug-ins the unit tests load (tests/CMakeLists.txt builds one library per FIXTURE):
//   1 a valid plug-in with one model, "fixture_ramp" (a setting of each kind, a lever, a year axis)
//   2 a plug-in of another plug-in interface (ABI number)
//   3 a plug-in built for another chiprace (build tag)
//   4 a valid library whose model takes a built-in's name
//   5 a library that is not a plug-in at all
#include "chiprace/model/plugin.hpp"

#include <memory>

namespace {

using namespace chiprace::model;

/// stock_t = stock_{t-1} + rate * lever_t, from `initial`: small enough to check by hand.
class Ramp final : public Model {
public:
    Ramp(std::vector<int> years, std::vector<Policy> policies, double initial, std::size_t rate)
        : years_(std::move(years)), policies_(std::move(policies)), initial_(initial),
          rate_(rate), outputs_{{"stock", "1", "stock", true},
                                {"final", "1", "last stock", false}} {}
    [[nodiscard]] std::string name() const override { return "fixture_ramp"; }
    [[nodiscard]] const std::vector<OutputSpec>& outputs() const override { return outputs_; }
    [[nodiscard]] std::span<const int> years() const override { return years_; }
    [[nodiscard]] std::size_t variant_count() const override { return policies_.size(); }
    [[nodiscard]] std::string variant_name(std::size_t v) const override {
        return policies_[v].name;
    }
    void evaluate(std::size_t v, const InputBlock& in, OutputBlock& out) const override {
        const auto rate = in.column(rate_);
        const std::size_t n = in.size();
        for (std::size_t i = 0; i < n; ++i) {
            double stock = initial_;
            for (std::size_t k = 0; k < years_.size(); ++k) {
                stock += rate[i] * policies_[v].at(std::size_t{0}, k);
                out.column(k)[i] = stock;
            }
            out.column(years_.size())[i] = stock;
        }
    }

private:
    std::vector<int> years_;
    std::vector<Policy> policies_;
    double initial_;
    std::size_t rate_;
    std::vector<OutputSpec> outputs_;
};

ModelDefinition ramp_definition() {
    ModelDefinition d;
#if FIXTURE == 4
    d.name = "ishigami";
#else
    d.name = "fixture_ramp";
#endif
    d.version = 3;
    d.settings = {
        {"first_year",
         SettingSpec::Kind::integer,
         "",
         {2000, 2100, false, false, false, "a year in 2000-2100"},
         false,
         2025},
        {"years",
         SettingSpec::Kind::integer,
         "",
         {1, 50, false, false, false, "1 to 50"},
         false,
         3},
        {"initial", SettingSpec::Kind::number, "starting stock", ValueRange::non_negative(), true},
        {"weights", SettingSpec::Kind::numbers, "", ValueRange::share(), false, 0.0, {0.5}},
    };
    d.parameters = {{"rate", "1/yr", "growth per year", ValueRange::positive()},
                    {"noise", "1", "unused, optional", ValueRange::share(), false, 0.0}};
    d.levers = {{"throttle", "1", "share of the rate allowed", ValueRange::share()}};
    d.outputs = {{"stock", "1", "stock", true}, {"final", "1", "last stock", false}};
    d.years = [](const SettingValues& s) {
        std::vector<int> years;
        for (std::int64_t k = 0; k < s.integer("years"); ++k)
            years.push_back(static_cast<int>(s.integer("first_year") + k));
        return years;
    };
    d.check = [](const SettingValues& s, std::span<const std::string>) {
        std::vector<ModelProblem> problems;
        if (s.number("initial") > 1000)
            problems.push_back(
                {ModelProblem::At::setting, "initial", "[model] initial above 1000 is not a ramp"});
        return problems;
    };
    d.build = [](const ModelArguments& a) -> std::shared_ptr<const Model> {
        return std::make_shared<Ramp>(a.years, a.policies, a.settings.number("initial"),
                                      a.parameter_index[0]);
    };
    return d;
}

} // namespace

#if FIXTURE == 1 || FIXTURE == 4
CHIPRACE_PLUGIN(ramp_definition)
#elif FIXTURE == 2
extern "C" __attribute__((visibility("default"))) int chiprace_plugin_abi() {
    return chiprace::model::plugin_abi + 1;
}
#elif FIXTURE == 3
extern "C" __attribute__((visibility("default"))) int chiprace_plugin_abi() {
    return chiprace::model::plugin_abi;
}
extern "C" __attribute__((visibility("default"))) const char* chiprace_plugin_build() {
    return "chiprace 0.0.1, libstdc++ 9 cxx11-abi 0";
}
#elif FIXTURE == 5
extern "C" __attribute__((visibility("default"))) int not_a_plugin() {
    return ramp_definition().version;
}
#endif
