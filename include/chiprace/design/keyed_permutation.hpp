#pragma once
// A pseudo-random permutation of [0, n) evaluated at one point, without storing it: a
// balanced Feistel network on the smallest even number of bits covering n, with cycle walking
// (Black & Rogaway 2002) to stay inside [0, n). This is what lets Latin hypercube strata be
// computed for any sample on any rank, in O(1) memory.

#include <cstdint>

namespace chiprace::design {

class KeyedPermutation {
public:
    KeyedPermutation(std::uint64_t n, std::uint64_t key);
    /// π(i) for i in [0, n).
    [[nodiscard]] std::uint64_t operator()(std::uint64_t i) const;
    [[nodiscard]] std::uint64_t size() const { return n_; }

private:
    [[nodiscard]] std::uint64_t encrypt(std::uint64_t x) const;
    std::uint64_t n_;
    std::uint64_t key_;
    unsigned half_bits_;
    std::uint64_t half_mask_;
};

} // namespace chiprace::design
