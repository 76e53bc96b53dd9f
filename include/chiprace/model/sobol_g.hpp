#pragma once
// Sobol' G function (Sobol' 1990; Saltelli & Sobol' 1995): g = Π (|4 x_i − 2| + a_i)/(1 + a_i)
// with x_i uniform on [0, 1]. Small a_i make x_i important; its indices are known exactly.

#include "chiprace/model/model_definition.hpp"

namespace chiprace::model {

class SobolG final : public Model {
public:
    /// inputs[i]: index among the experiment's parameters of the input paired with a[i].
    SobolG(std::vector<double> a, std::vector<std::size_t> inputs);
    [[nodiscard]] std::string name() const override { return "sobol_g"; }
    [[nodiscard]] const std::vector<OutputSpec>& outputs() const override { return outputs_; }
    void evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const override;

    [[nodiscard]] static double exact_mean() { return 1.0; }
    [[nodiscard]] static double exact_variance(std::span<const double> a);

private:
    std::vector<double> a_;
    std::vector<std::size_t> inputs_;
    std::vector<OutputSpec> outputs_;
};

/// What the registry knows of sobol_g: setting a, one input per entry, in the order written.
ModelDefinition sobol_g_definition();

} // namespace chiprace::model
