#pragma once
// Scrambled Sobol' points (Sobol' 1967; Joe & Kuo 2008 direction numbers, as Boost.Random
// ships them). Scrambling is Matoušek's random linear matrix scramble plus a digital shift
// (Matoušek 1998; Owen 2003), keyed by the seed: the points stay a (t, m, s)-net, become
// randomised (so repeated seeds give error estimates), and lose the zero point's bias.
// Run i is point i of the sequence, point 0 included, so the first 2^m runs form a net.

#include "chiprace/design/design.hpp"

#include <array>
#include <vector>

namespace chiprace::design {

class SobolDesign final : public Design {
public:
    SobolDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t samples,
                bool scramble = true);
    [[nodiscard]] std::string kind() const override { return "sobol"; }
    [[nodiscard]] std::size_t dimension() const override { return dimension_; }
    [[nodiscard]] std::uint64_t run_count() const override { return samples_; }
    void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const override;
    [[nodiscard]] std::vector<DesignFact> facts() const override;

    /// Largest number of runs: the 32-bit sequence's length.
    static constexpr std::uint64_t max_runs = (std::uint64_t{1} << 32) - 1;

private:
    [[nodiscard]] std::uint32_t scramble(std::size_t j, std::uint32_t x) const;

    std::uint64_t seed_;
    std::size_t dimension_;
    std::uint64_t samples_;
    bool scramble_;
    std::vector<std::array<std::uint32_t, 32>> matrix_; // [dim][input bit from the top]
    std::vector<std::uint32_t> shift_;
};

} // namespace chiprace::design
