#include "chiprace/model/sobol_g.hpp"

#include <cmath>
#include <limits>

namespace chiprace::model {

SobolG::SobolG(std::vector<double> a, std::vector<std::size_t> inputs)
    : a_(std::move(a)), inputs_(std::move(inputs)),
      outputs_{{"y", "1", "Sobol' G function prod_i (|4 x_i - 2| + a_i) / (1 + a_i)", false}} {}

void SobolG::evaluate(std::size_t, const InputBlock& in, OutputBlock& out) const {
    const auto y = out.column(0);
    for (std::size_t i = 0; i < in.size(); ++i)
        y[i] = 1.0;
    for (std::size_t k = 0; k < a_.size(); ++k) {
        const auto x = in.column(inputs_[k]);
        const double ak = a_[k];
        const double inv = 1.0 / (1.0 + ak);
        for (std::size_t i = 0; i < in.size(); ++i)
            y[i] *= (std::fabs(4.0 * x[i] - 2.0) + ak) * inv;
    }
}

double SobolG::exact_variance(std::span<const double> a) {
    double prod = 1.0;
    for (const double ai : a)
        prod *= 1.0 + 1.0 / (3.0 * (1.0 + ai) * (1.0 + ai));
    return prod - 1.0;
}

ModelDefinition sobol_g_definition() {
    ModelDefinition d;
    d.name = "sobol_g";
    d.description = "Sobol' G test function of d inputs uniform on [0, 1]";
    d.settings = {{"a",
                   SettingSpec::Kind::numbers,
                   "one non-negative number per input",
                   {0.0, std::numeric_limits<double>::infinity(), false, false, false,
                    "a finite number >= 0"},
                   true}};
    d.inputs = ModelDefinition::Inputs::positional;
    d.parameter_noun = "input";
    d.outputs = {{"y", "1", "Sobol' G function prod_i (|4 x_i - 2| + a_i) / (1 + a_i)", false}};
    d.check = [](const SettingValues& s, std::span<const std::string> sampled) {
        std::vector<ModelProblem> problems;
        if (s.numbers("a").size() != sampled.size())
            problems.push_back({ModelProblem::At::setting, "a",
                                "model 'sobol_g' has one input per entry of a (" +
                                    std::to_string(s.numbers("a").size()) +
                                    "), but [parameters] lists " + std::to_string(sampled.size())});
        return problems;
    };
    d.build = [](const ModelArguments& m) -> std::shared_ptr<const Model> {
        return std::make_shared<SobolG>(m.settings.numbers("a"), m.parameter_index);
    };
    return d;
}

} // namespace chiprace::model
