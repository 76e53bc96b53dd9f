#pragma once
// y = intercept + Σ coefficients[i] x_i: a model whose posterior under a normal prior and a
// normal observation of y is known in closed form (the conjugate case), the reference against
// which calibration by importance weighting is tested (docs/calibration.md).

#include "chiprace/model/model_definition.hpp"

namespace chiprace::model {

class Linear final : public Model {
public:
    /// inputs[i]: index among the experiment's parameters of the input paired with
    /// coefficients[i].
    Linear(std::vector<double> coefficients, double intercept, std::vector<std::size_t> inputs);
    [[nodiscard]] std::string name() const override { return "linear"; }
    [[nodiscard]] const std::vector<OutputSpec>& outputs() const override { return outputs_; }
    void evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const override;

private:
    std::vector<double> coefficients_;
    double intercept_;
    std::vector<std::size_t> inputs_;
    std::vector<OutputSpec> outputs_;
};

/// What the registry knows of linear: settings coefficients (one per input, in the order
/// written) and intercept.
ModelDefinition linear_definition();

} // namespace chiprace::model
