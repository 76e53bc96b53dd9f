#pragma once
// A sampling design: sample index → point of the unit hypercube (0, 1)^d. A design is a pure
// function of (its seed, the index), so blocks can be computed anywhere, in any order.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace chiprace::design {

class Design {
public:
    virtual ~Design() = default;
    [[nodiscard]] virtual std::string kind() const = 0;
    [[nodiscard]] virtual std::size_t dimension() const = 0;
    /// Points of samples first … first+n-1, as dimension() columns of n (column j at j*n).
    virtual void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const = 0;
};

} // namespace chiprace::design
