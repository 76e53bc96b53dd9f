#pragma once
// The random numbers of one sample, as a pure function of (seed, sample index, purpose).
//
// Random123's Philox4x32-10 (Salmon et al., SC'11) is a counter-based generator: the output
// for a counter and key is computed directly, with no state carried between samples. Keying
// by the experiment seed and putting the sample index in the counter is what lets any rank
// or thread compute any sample, and makes results independent of how a run is cut
// (docs/design.md, invariant 1). Separate purposes (inputs, jitter, bootstrap weights) live in
// separate counter words so that adding draws for one never shifts another.

// clang-format off
#include <Random123/philox.h>    // first: MicroURNG.hpp needs the feature macros it defines
#include <Random123/MicroURNG.hpp>
// clang-format on
#include <cstdint>
#include <limits>

namespace chiprace::random {

enum class StreamPurpose : std::uint32_t {
    sample_inputs = 1,  // the sample's uniforms, one or more per parameter
    stratum_jitter = 2, // position inside an LHS stratum
    bootstrap = 3,      // Poisson bootstrap weights
    permutation = 4,    // keys of keyed permutations
};

/// A uniform random bit generator (Boost.Random's and the standard's engine concept) for one
/// (seed, index, purpose, substream). Up to 2^32 Philox blocks (2^34 words) per stream.
class CounterStream {
public:
    using result_type = std::uint32_t;

    CounterStream(std::uint64_t seed, std::uint64_t index, StreamPurpose purpose,
                  std::uint32_t substream = 0)
        : urng_(make_counter(index, purpose, substream), make_key(seed)) {}

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    result_type operator()() { return urng_(); }

    /// A double in the open interval (0, 1) with 53 random bits: never 0 or 1, so every
    /// quantile function receives a value it is defined at.
    double uniform_open01() {
        const std::uint64_t hi = (*this)();
        const std::uint64_t lo = (*this)();
        const std::uint64_t bits53 = (hi << 21) | (lo >> 11);
        return (static_cast<double>(bits53) + 0.5) * 0x1.0p-53;
    }

private:
    using Philox = r123::Philox4x32;
    static Philox::ctr_type make_counter(std::uint64_t index, StreamPurpose purpose,
                                         std::uint32_t substream) {
        // Purpose in the top byte, substream in the low 24 bits of word 2; word 3 belongs to
        // MicroURNG, which counts blocks in it.
        const auto word2 = (static_cast<std::uint32_t>(purpose) << 24) | (substream & 0xFFFFFFu);
        return Philox::ctr_type{{static_cast<std::uint32_t>(index),
                                 static_cast<std::uint32_t>(index >> 32), word2, 0u}};
    }
    static Philox::ukey_type make_key(std::uint64_t seed) {
        return Philox::ukey_type{
            {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    }

    r123::MicroURNG<Philox> urng_;
};

} // namespace chiprace::random
