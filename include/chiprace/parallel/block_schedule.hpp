#pragma once
// Which blocks each rank computes: the blocks of a stage not yet done (a resumed run skips what
// its checkpoint holds), cut into contiguous shares of equal size. A share may cross a gap
// left by a checkpoint, so it is a list of contiguous segments; each segment is reduced on its
// own, because a dyadic reduction needs gap-free input (stats/dyadic_reduction.hpp).
// MPI-free, so that it is unit-tested directly.

#include <cstdint>
#include <vector>

namespace chiprace::parallel {

struct BlockRange {
    std::uint64_t first = 0, end = 0;
    [[nodiscard]] std::uint64_t size() const { return end - first; }
    bool operator==(const BlockRange&) const = default;
};

/// The blocks of [first, end) not covered by done (sorted, disjoint ranges), as ranges.
std::vector<BlockRange> remaining_blocks(const std::vector<BlockRange>& done, std::uint64_t first,
                                         std::uint64_t end);

/// Share r of `ranks`: the r-th contiguous run of blocks of the concatenated ranges, sizes
/// differing by at most one block, as segments in block order.
std::vector<BlockRange> share_of(const std::vector<BlockRange>& ranges, int rank, int ranks);

/// Sorted, with touching ranges joined.
std::vector<BlockRange> normalized(std::vector<BlockRange> ranges);

} // namespace chiprace::parallel
