#include "chiprace/model/linear.hpp"

namespace chiprace::model {

namespace {

OutputSpec linear_output() {
    return {"y", "1", "intercept + sum_i coefficients[i] x_i", false};
}

} // namespace

Linear::Linear(std::vector<double> coefficients, double intercept, std::vector<std::size_t> inputs)
    : coefficients_(std::move(coefficients)), intercept_(intercept),
      inputs_(std::move(inputs)), outputs_{linear_output()} {}

void Linear::evaluate(std::size_t, const InputBlock& in, OutputBlock& out) const {
    const auto y = out.column(0);
    for (std::size_t i = 0; i < in.size(); ++i)
        y[i] = intercept_;
    // Summed from the intercept in input order (no contraction): an analysis recomputes y bit
    // for bit from the stored inputs.
    for (std::size_t k = 0; k < coefficients_.size(); ++k) {
        const auto x = in.column(inputs_[k]);
        const double c = coefficients_[k];
        for (std::size_t i = 0; i < in.size(); ++i)
            y[i] += c * x[i];
    }
}

ModelDefinition linear_definition() {
    ModelDefinition d;
    d.name = "linear";
    d.description = "intercept + sum_i coefficients[i] x_i: the conjugate test case of calibration";
    d.settings = {
        {"coefficients", SettingSpec::Kind::numbers, "one number per input", ValueRange{}, true},
        {"intercept", SettingSpec::Kind::number, "the value at x = 0", ValueRange{}, false, 0.0},
    };
    d.inputs = ModelDefinition::Inputs::positional;
    d.parameter_noun = "input";
    d.outputs = {linear_output()};
    d.check = [](const SettingValues& s, std::span<const std::string> sampled) {
        std::vector<ModelProblem> problems;
        if (s.numbers("coefficients").size() != sampled.size())
            problems.push_back({ModelProblem::At::setting, "coefficients",
                                "model 'linear' has one input per entry of coefficients (" +
                                    std::to_string(s.numbers("coefficients").size()) +
                                    "), but [parameters] lists " + std::to_string(sampled.size())});
        return problems;
    };
    d.build = [](const ModelArguments& m) -> std::shared_ptr<const Model> {
        return std::make_shared<Linear>(m.settings.numbers("coefficients"),
                                        m.settings.number("intercept"), m.parameter_index);
    };
    return d;
}

} // namespace chiprace::model
