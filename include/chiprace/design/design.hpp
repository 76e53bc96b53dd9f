#pragma once
// A sampling design: run index → point of the unit hypercube (0, 1)^d. A design is a pure
// function of (its seed, the index), so blocks can be computed anywhere, in any order
// (docs/design.md, invariant 1).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace chiprace::design {

/// What a design is, for the result file's /design group: enough to re-derive every point.
using DesignFact = std::pair<std::string, std::variant<std::string, std::int64_t, double>>;

class Design {
public:
    virtual ~Design() = default;
    [[nodiscard]] virtual std::string kind() const = 0;
    [[nodiscard]] virtual std::size_t dimension() const = 0;
    /// Model runs the design asks for (N for mc, lhs, sobol; N·(d+2) for Saltelli, …).
    [[nodiscard]] virtual std::uint64_t run_count() const = 0;
    /// Points of runs first … first+n-1, as dimension() columns of n (column j at j*n).
    virtual void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const = 0;
    /// Parameter values the design fixes itself (grid sweeps), written over the values the
    /// marginals gave: same layout as unit_points. Most designs fix none.
    virtual void fixed_values(std::uint64_t /*first*/, std::size_t /*n*/,
                              std::span<double> /*values*/) const {}
    /// Facts for /design: kind, seed, sizes, options.
    [[nodiscard]] virtual std::vector<DesignFact> facts() const = 0;
};

} // namespace chiprace::design
