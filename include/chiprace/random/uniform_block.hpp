#pragma once
// The uniforms of many consecutive samples at once: the same numbers as a CounterStream per
// sample (bit for bit), computed sample-parallel so that the Philox rounds run in vector
// registers. Per-sample streams were a tenth of a run's time.

#include "chiprace/random/counter_stream.hpp"

#include <cstdint>
#include <span>

namespace chiprace::random {

/// out[j·n + i] = the j-th uniform_open01() of CounterStream(seed, first + i, purpose,
/// substream), for i < n and j < dimension (column-major, as blocks of inputs are stored).
void uniform_open01_block(std::uint64_t seed, std::uint64_t first, std::size_t n,
                          StreamPurpose purpose, std::uint32_t substream, std::size_t dimension,
                          std::span<double> out);

} // namespace chiprace::random
