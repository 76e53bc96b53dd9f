#pragma once
// An unsigned 64-bit key with the order of the doubles it encodes, so that an exact quantile can
// be found by bisection on integers: a finite number of steps whatever the values' scale.

#include <bit>
#include <cstdint>

namespace chiprace::discovery {

/// Monotone: a < b  <=>  order_key(a) < order_key(b) for non-NaN doubles other than the pair
/// -0.0 and +0.0 (callers store +0.0 only).
[[nodiscard]] constexpr std::uint64_t order_key(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    constexpr std::uint64_t sign = std::uint64_t{1} << 63;
    return (bits & sign) ? ~bits : bits | sign;
}

[[nodiscard]] constexpr double from_order_key(std::uint64_t key) {
    constexpr std::uint64_t sign = std::uint64_t{1} << 63;
    return std::bit_cast<double>((key & sign) ? key & ~sign : ~key);
}

} // namespace chiprace::discovery
