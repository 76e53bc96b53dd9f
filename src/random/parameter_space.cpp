#include "chiprace/random/parameter_space.hpp"

namespace chiprace::random {

std::size_t ParameterSpace::index_of(std::string_view name) const {
    for (std::size_t j = 0; j < parameters_.size(); ++j)
        if (parameters_[j].name == name)
            return j;
    return parameters_.size();
}

void ParameterSpace::to_values(std::span<const double> unit, std::size_t n,
                               std::span<double> values, QuantileMethod method) const {
    for (std::size_t j = 0; j < parameters_.size(); ++j)
        parameters_[j].distribution.quantiles(unit.subspan(j * n, n), values.subspan(j * n, n),
                                              method);
}

} // namespace chiprace::random
