#pragma once
// Latin hypercube sampling (McKay, Beckman & Conover 1979): in every dimension each of the N
// strata [k/N, (k+1)/N) holds exactly one sample. Sample i's stratum in dimension j is
// π_j(i) for a keyed permutation π_j computed on demand; its position inside the stratum
// comes from the sample's own stream.

#include "chiprace/design/design.hpp"
#include "chiprace/design/keyed_permutation.hpp"

#include <vector>

namespace chiprace::design {

class LatinHypercubeDesign final : public Design {
public:
    LatinHypercubeDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t samples);
    [[nodiscard]] std::string kind() const override { return "lhs"; }
    [[nodiscard]] std::size_t dimension() const override { return permutations_.size(); }
    [[nodiscard]] std::uint64_t run_count() const override { return samples_; }
    void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const override;
    [[nodiscard]] std::vector<DesignFact> facts() const override;
    /// Stratum of run i in dimension j (for tests and analysis).
    [[nodiscard]] std::uint64_t stratum(std::uint64_t i, std::size_t j) const {
        return permutations_[j](i);
    }

private:
    std::uint64_t seed_;
    std::uint64_t samples_;
    std::vector<KeyedPermutation> permutations_;
};

} // namespace chiprace::design
