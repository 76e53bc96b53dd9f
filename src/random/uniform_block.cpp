#include "chiprace/random/uniform_block.hpp"

#include <stdexcept>

namespace chiprace::random {

namespace {

/// One Philox4x32-10 block for counter (c0, c1, c2, c3) and key (k0, k1), written out as the
/// rounds (Salmon et al., SC'11) on plain integers, which the compiler vectorises across
/// samples; the result equals r123::Philox4x32 (a test compares them).
struct Words {
    std::uint32_t w[4];
};

inline Words philox4x32_10(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2, std::uint32_t c3,
                           std::uint32_t k0, std::uint32_t k1) {
    constexpr std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t p0 = m0 * c0, p1 = m1 * c2;
        const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
        const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return {{c0, c1, c2, c3}};
}

/// 53 bits, never 0 or 1: as CounterStream::uniform_open01.
inline double open01(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t bits53 = (std::uint64_t{hi} << 21) | (lo >> 11);
    return (static_cast<double>(bits53) + 0.5) * 0x1.0p-53;
}

} // namespace

void uniform_open01_block(std::uint64_t seed, std::uint64_t first, std::size_t n,
                          StreamPurpose purpose, std::uint32_t substream, std::size_t dimension,
                          std::span<double> out) {
    if (out.size() < n * dimension)
        throw std::invalid_argument("uniform_open01_block: output too small");
    const auto k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
    const auto word2 = (static_cast<std::uint32_t>(purpose) << 24) | (substream & 0xFFFFFFu);
    // MicroURNG puts its block count in counter word 3 and hands out a block's words last
    // first: uniform 2b takes words 3 and 2 of block b, uniform 2b + 1 words 1 and 0.
    for (std::size_t j = 0; j < dimension; j += 2) {
        const auto block = static_cast<std::uint32_t>(j / 2);
        double* even = out.data() + j * n;
        if (j + 1 < dimension) {
            double* odd = out.data() + (j + 1) * n;
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint64_t index = first + i;
                const Words r =
                    philox4x32_10(static_cast<std::uint32_t>(index),
                                  static_cast<std::uint32_t>(index >> 32), word2, block, k0, k1);
                even[i] = open01(r.w[3], r.w[2]);
                odd[i] = open01(r.w[1], r.w[0]);
            }
        } else {
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint64_t index = first + i;
                const Words r =
                    philox4x32_10(static_cast<std::uint32_t>(index),
                                  static_cast<std::uint32_t>(index >> 32), word2, block, k0, k1);
                even[i] = open01(r.w[3], r.w[2]);
            }
        }
    }
}

} // namespace chiprace::random
