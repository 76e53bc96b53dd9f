#include "chiprace/parallel/block_schedule.hpp"

#include <algorithm>

namespace chiprace::parallel {

std::vector<BlockRange> normalized(std::vector<BlockRange> ranges) {
    std::sort(ranges.begin(), ranges.end(),
              [](const BlockRange& a, const BlockRange& b) { return a.first < b.first; });
    std::vector<BlockRange> out;
    for (const auto& r : ranges) {
        if (r.size() == 0)
            continue;
        if (!out.empty() && r.first <= out.back().end)
            out.back().end = std::max(out.back().end, r.end);
        else
            out.push_back(r);
    }
    return out;
}

std::vector<BlockRange> remaining_blocks(const std::vector<BlockRange>& done, std::uint64_t first,
                                         std::uint64_t end) {
    std::vector<BlockRange> out;
    std::uint64_t at = first;
    for (const auto& d : normalized(done)) {
        if (d.end <= at)
            continue;
        if (d.first >= end)
            break;
        if (d.first > at)
            out.push_back({at, std::min(d.first, end)});
        at = std::max(at, d.end);
    }
    if (at < end)
        out.push_back({at, end});
    return out;
}

std::vector<BlockRange> share_of(const std::vector<BlockRange>& ranges, int rank, int ranks) {
    std::uint64_t total = 0;
    for (const auto& r : ranges)
        total += r.size();
    const auto n = static_cast<std::uint64_t>(ranks);
    const auto k = static_cast<std::uint64_t>(rank);
    // Positions [lo, hi) in the concatenation of the ranges.
    const std::uint64_t lo = total * k / n, hi = total * (k + 1) / n;
    std::vector<BlockRange> out;
    std::uint64_t offset = 0;
    for (const auto& r : ranges) {
        const std::uint64_t a = std::max(lo, offset), b = std::min(hi, offset + r.size());
        if (a < b)
            out.push_back({r.first + (a - offset), r.first + (b - offset)});
        offset += r.size();
    }
    return out;
}

} // namespace chiprace::parallel
