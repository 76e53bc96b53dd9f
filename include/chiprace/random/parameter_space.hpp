#pragma once
// The experiment's uncertain parameters: names and marginals, in the order the experiment
// lists them. Maps a design's unit points to parameter values.

#include "chiprace/random/distribution.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace chiprace::random {

struct Parameter {
    std::string name;
    Distribution distribution;
    std::string units;       // "" when the experiment does not say
    std::string description; // ""
};

class ParameterSpace {
public:
    ParameterSpace() = default;
    explicit ParameterSpace(std::vector<Parameter> parameters)
        : parameters_(std::move(parameters)) {}

    [[nodiscard]] std::size_t dimension() const { return parameters_.size(); }
    [[nodiscard]] const std::vector<Parameter>& parameters() const { return parameters_; }
    /// Index of the named parameter, or dimension() when there is none.
    [[nodiscard]] std::size_t index_of(std::string_view name) const;

    /// unit and values are dimension() columns of n samples each (column j at j*n). Runs use
    /// the fast quantiles (relative error < 2e-13 for beta, pert and gamma, ~1e-15 in the normal
    /// score for the normal family; see QuantileMethod).
    void to_values(std::span<const double> unit, std::size_t n, std::span<double> values,
                   QuantileMethod method = QuantileMethod::fast) const;

private:
    std::vector<Parameter> parameters_;
};

} // namespace chiprace::random
