#include "chiprace/design/monte_carlo_design.hpp"

#include "chiprace/random/counter_stream.hpp"

namespace chiprace::design {

void MonteCarloDesign::unit_points(std::uint64_t first, std::size_t n,
                                   std::span<double> out) const {
    for (std::size_t i = 0; i < n; ++i) {
        random::CounterStream stream(seed_, first + i, random::StreamPurpose::sample_inputs);
        for (std::size_t j = 0; j < dimension_; ++j)
            out[j * n + i] = stream.uniform_open01();
    }
}

} // namespace chiprace::design
