#include "chiprace/design/monte_carlo_design.hpp"

#include "chiprace/random/uniform_block.hpp"

namespace chiprace::design {

void MonteCarloDesign::unit_points(std::uint64_t first, std::size_t n,
                                   std::span<double> out) const {
    random::uniform_open01_block(seed_, first, n, random::StreamPurpose::sample_inputs, 0,
                                 dimension_, out);
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
