#include "chiprace/design/latin_hypercube_design.hpp"

#include "chiprace/random/counter_stream.hpp"

namespace chiprace::design {

LatinHypercubeDesign::LatinHypercubeDesign(std::uint64_t seed, std::size_t dimension,
                                           std::uint64_t samples)
    : seed_(seed), samples_(samples) {
    for (std::size_t j = 0; j < dimension; ++j) {
        // Each dimension's key comes from the permutation stream of (seed, j).
        random::CounterStream keys(seed, j, random::StreamPurpose::permutation);
        const std::uint64_t key = (std::uint64_t{keys()} << 32) | keys();
        permutations_.emplace_back(samples, key);
    }
}

void LatinHypercubeDesign::unit_points(std::uint64_t first, std::size_t n,
                                       std::span<double> out) const {
    const double inv_n = 1.0 / static_cast<double>(samples_);
    for (std::size_t i = 0; i < n; ++i) {
        random::CounterStream jitter(seed_, first + i, random::StreamPurpose::stratum_jitter);
        for (std::size_t j = 0; j < permutations_.size(); ++j) {
            const auto stratum = static_cast<double>(permutations_[j](first + i));
            // (stratum + u)/N with u in (0,1) stays strictly inside the stratum's interior
            // except for rounding at the top, which the clamp keeps below 1.
            const double u = (stratum + jitter.uniform_open01()) * inv_n;
            out[j * n + i] = u < 1.0 ? u : 1.0 - 0x1.0p-53;
        }
    }
}

std::vector<DesignFact> LatinHypercubeDesign::facts() const {
    return {{"kind", std::string("lhs")},
            {"seed", static_cast<std::int64_t>(seed_)},
            {"n_runs", static_cast<std::int64_t>(samples_)},
            {"dimension", static_cast<std::int64_t>(permutations_.size())},
            {"method", std::string("stratum of run i in dimension j: 8-round Feistel permutation "
                                   "of [0, N) with cycle walking, keyed from Philox(seed, j, "
                                   "purpose 4); position in the stratum from Philox(seed, i, "
                                   "purpose 2)")}};
}

} // namespace chiprace::design
