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

std::vector<DesignFact> MonteCarloDesign::facts() const {
    return {{"kind", std::string("mc")},
            {"seed", static_cast<std::int64_t>(seed_)},
            {"n_runs", static_cast<std::int64_t>(samples_)},
            {"dimension", static_cast<std::int64_t>(dimension_)},
            {"method", std::string("run i: the first d uniforms of Philox4x32-10 keyed by the "
                                   "seed, counter (i, purpose 1); 53-bit, open interval")}};
}

} // namespace chiprace::design
