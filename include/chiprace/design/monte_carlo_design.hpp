#pragma once
// Plain Monte Carlo: run i's coordinates are the first d uniforms of its own counter-based
// stream.

#include "chiprace/design/design.hpp"

namespace chiprace::design {

class MonteCarloDesign final : public Design {
public:
    MonteCarloDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t samples = 0)
        : seed_(seed), dimension_(dimension), samples_(samples) {}
    [[nodiscard]] std::string kind() const override { return "mc"; }
    [[nodiscard]] std::size_t dimension() const override { return dimension_; }
    [[nodiscard]] std::uint64_t run_count() const override { return samples_; }
    void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const override;
    [[nodiscard]] std::vector<DesignFact> facts() const override;

private:
    std::uint64_t seed_;
    std::size_t dimension_;
    std::uint64_t samples_;
};

} // namespace chiprace::design
