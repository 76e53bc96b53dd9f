#pragma once
// Full-factorial sweeps over named parameters, combined with random sampling of all others:
// run i sits in grid cell i mod C (the first swept parameter varies slowest) and draws every
// other parameter from its own Monte Carlo stream, so each cell sees N / C futures.

#include "chiprace/design/design.hpp"
#include "chiprace/design/monte_carlo_design.hpp"

#include <vector>

namespace chiprace::design {

struct GridAxis {
    std::size_t parameter; // index among the experiment's parameters
    std::string name;
    std::vector<double> values;
};

class GridDesign final : public Design {
public:
    GridDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t samples,
               std::vector<GridAxis> axes);
    [[nodiscard]] std::string kind() const override { return "grid"; }
    [[nodiscard]] std::size_t dimension() const override { return random_.dimension(); }
    [[nodiscard]] std::uint64_t run_count() const override { return random_.run_count(); }
    void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const override {
        random_.unit_points(first, n, out);
    }
    void fixed_values(std::uint64_t first, std::size_t n, std::span<double> values) const override;
    [[nodiscard]] std::vector<DesignFact> facts() const override;
    [[nodiscard]] std::uint64_t cells() const;
    /// Index of run i's value on axis a.
    [[nodiscard]] std::size_t level(std::uint64_t run, std::size_t axis) const;

private:
    MonteCarloDesign random_;
    std::vector<GridAxis> axes_;
};

} // namespace chiprace::design
