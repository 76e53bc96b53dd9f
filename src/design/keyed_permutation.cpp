#include "chiprace/design/keyed_permutation.hpp"

#include <stdexcept>

namespace chiprace::design {

namespace {

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): a fast bijective mixer with full
/// avalanche, used as the Feistel round function.
std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr int rounds = 8; // > 4 rounds: strong pseudo-random permutation (Luby–Rackoff)

} // namespace

KeyedPermutation::KeyedPermutation(std::uint64_t n, std::uint64_t key) : n_(n), key_(mix(key)) {
    if (n == 0)
        throw std::invalid_argument("KeyedPermutation: empty domain");
    unsigned bits = 1;
    while (bits < 64 && (std::uint64_t{1} << bits) < n)
        ++bits;
    half_bits_ = (bits + 1) / 2;
    half_mask_ = (std::uint64_t{1} << half_bits_) - 1;
}

std::uint64_t KeyedPermutation::encrypt(std::uint64_t x) const {
    std::uint64_t left = x >> half_bits_, right = x & half_mask_;
    for (int r = 0; r < rounds; ++r) {
        const std::uint64_t f =
            mix(right ^ key_ ^ (static_cast<std::uint64_t>(r) << 56)) & half_mask_;
        const std::uint64_t next = left ^ f;
        left = right;
        right = next;
    }
    return (left << half_bits_) | right;
}

std::uint64_t KeyedPermutation::operator()(std::uint64_t i) const {
    if (i >= n_)
        throw std::out_of_range("KeyedPermutation: index outside the domain");
    // The Feistel domain is at most 4n; walking the cycle leaves it in expected < 4 steps.
    std::uint64_t x = encrypt(i);
    while (x >= n_)
        x = encrypt(x);
    return x;
}

} // namespace chiprace::design
