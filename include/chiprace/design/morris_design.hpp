#pragma once
// Morris (1991) elementary-effects screening: r trajectories on a p-level grid, each a base
// point followed by d one-at-a-time steps of Δ = p/2 levels, in a random order of dimensions.
// Run i is step i mod (d+1) of trajectory i / (d+1); everything about a trajectory comes from
// its own stream, so any run can be computed alone.

#include "chiprace/design/design.hpp"

#include <vector>

namespace chiprace::design {

class MorrisDesign final : public Design {
public:
    MorrisDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t trajectories,
                 unsigned levels);
    [[nodiscard]] std::string kind() const override { return "morris"; }
    [[nodiscard]] std::size_t dimension() const override { return dimension_; }
    [[nodiscard]] std::uint64_t run_count() const override {
        return trajectories_ * (dimension_ + 1);
    }
    void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const override;
    [[nodiscard]] std::vector<DesignFact> facts() const override;

    struct Trajectory {
        std::vector<unsigned> base_level; // per dimension
        std::vector<std::size_t> order;   // dimension moved at step 1, 2, …
        std::vector<int> direction;       // per dimension: +1 or −1
    };
    [[nodiscard]] Trajectory trajectory(std::uint64_t t) const;
    /// Dimension that run i moved relative to run i − 1 (d for a trajectory's base point).
    [[nodiscard]] std::size_t moved_dimension(std::uint64_t run) const;
    /// Signed change of the moved coordinate in unit-cube terms (0 for a base point).
    [[nodiscard]] double step(std::uint64_t run) const;
    [[nodiscard]] unsigned levels() const { return levels_; }

private:
    std::uint64_t seed_;
    std::size_t dimension_;
    std::uint64_t trajectories_;
    unsigned levels_;
};

} // namespace chiprace::design
