#pragma once
// Plain Monte Carlo: sample i's coordinates are the first d uniforms of its own
// counter-based stream.

#include "chiprace/design/design.hpp"

namespace chiprace::design {

class MonteCarloDesign final : public Design {
public:
    MonteCarloDesign(std::uint64_t seed, std::size_t dimension)
        : seed_(seed), dimension_(dimension) {}
    [[nodiscard]] std::string kind() const override { return "mc"; }
    [[nodiscard]] std::size_t dimension() const override { return dimension_; }
    void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const override;

private:
    std::uint64_t seed_;
    std::size_t dimension_;
};

} // namespace chiprace::design
