#pragma once
// Ishigami & Homma (1990): f = sin x1 + a sin² x2 + b x3⁴ sin x1, the standard test case of
// uncertainty and sensitivity analysis, with closed-form mean, variance and Sobol indices.

#include "chiprace/model/model_definition.hpp"

namespace chiprace::model {

class Ishigami final : public Model {
public:
    /// x1, x2, x3: indices of those inputs among the experiment's parameters.
    Ishigami(double a, double b, std::size_t x1, std::size_t x2, std::size_t x3);
    [[nodiscard]] std::string name() const override { return "ishigami"; }
    [[nodiscard]] const std::vector<OutputSpec>& outputs() const override { return outputs_; }
    void evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const override;

    /// Closed forms for inputs uniform on [-π, π].
    [[nodiscard]] static double exact_mean(double a, double b);
    [[nodiscard]] static double exact_variance(double a, double b);

private:
    double a_, b_;
    std::size_t x1_, x2_, x3_;
    std::vector<OutputSpec> outputs_;
};

/// What the registry knows of ishigami: settings a and b, inputs x1, x2, x3.
ModelDefinition ishigami_definition();

} // namespace chiprace::model
