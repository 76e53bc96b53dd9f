#pragma once
// A test model for scenario discovery with a known answer: output "failure" is 1 when every
// input lies in its [lower, upper] (closed) and 0 otherwise, then flipped for a share `flip` of
// the samples (noise), chosen deterministically from the bits of the sample's inputs so that a
// run is reproducible without random numbers of the model's own.

#include "chiprace/model/model_definition.hpp"

namespace chiprace::model {

class FailureBox final : public Model {
public:
    /// lower[k], upper[k]: the box on input inputs[k] (an index among the parameters).
    FailureBox(std::vector<double> lower, std::vector<double> upper,
               std::vector<std::size_t> inputs, double flip);
    [[nodiscard]] std::string name() const override { return "failure_box"; }
    [[nodiscard]] const std::vector<OutputSpec>& outputs() const override { return outputs_; }
    void evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const override;

    /// The share of samples flipped at a sample with these bits: a number in [0, 1) that is
    /// the same on every machine.
    [[nodiscard]] static double flip_draw(std::span<const double> x);

private:
    std::vector<double> lower_, upper_;
    std::vector<std::size_t> inputs_;
    double flip_;
    std::vector<OutputSpec> outputs_;
};

/// What the registry knows of failure_box: the box (lower, upper) on the inputs in the order
/// written, and the flip share.
ModelDefinition failure_box_definition();

} // namespace chiprace::model
