#include "chiprace/stats/block_sums.hpp"

#include <bit>
#include <stdexcept>

namespace chiprace::stats {

void BlockSums::merge(const BlockSums& right) {
    if (right.sobol.size() != sobol.size() || right.morris.size() != morris.size() ||
        right.events.size() != events.size())
        throw std::logic_error("BlockSums: merging blocks of different shapes");
    moments.merge(right.moments);
    for (std::size_t i = 0; i < sobol.size(); ++i)
        sobol[i].merge(right.sobol[i]);
    for (std::size_t i = 0; i < morris.size(); ++i)
        morris[i].merge(right.morris[i]);
    for (std::size_t i = 0; i < events.size(); ++i)
        events[i] += right.events[i];
}

std::vector<double> BlockSums::serialize() const {
    const auto m = moments.serialize();
    std::vector<double> out;
    out.push_back(std::bit_cast<double>(std::uint64_t{m.size()}));
    out.insert(out.end(), m.begin(), m.end());
    out.push_back(std::bit_cast<double>(std::uint64_t{sobol.size()}));
    for (const auto& s : sobol)
        s.serialize(out);
    out.push_back(std::bit_cast<double>(std::uint64_t{morris.size()}));
    for (const auto& s : morris)
        s.serialize(out);
    // Counts travel as bit patterns: exact beyond 2^53. Ledgers of format 2 end before them.
    out.push_back(std::bit_cast<double>(std::uint64_t{events.size()}));
    for (const auto n : events)
        out.push_back(std::bit_cast<double>(n));
    return out;
}

BlockSums BlockSums::deserialize(std::span<const double> data) {
    auto fail = [] { throw std::runtime_error("BlockSums: corrupt serialized block"); };
    std::size_t pos = 0;
    auto count = [&] {
        if (pos >= data.size())
            fail();
        return std::bit_cast<std::uint64_t>(data[pos++]);
    };
    BlockSums b;
    const auto m = count();
    if (m > data.size() - pos)
        fail();
    b.moments = MomentsBlock::deserialize(data.subspan(pos, m));
    pos += m;
    const auto n_sobol = count();
    if (n_sobol > data.size())
        fail();
    for (std::uint64_t i = 0; i < n_sobol; ++i)
        b.sobol.push_back(SobolSums::deserialize(data, pos));
    const auto n_morris = count();
    if (n_morris > data.size())
        fail();
    for (std::uint64_t i = 0; i < n_morris; ++i)
        b.morris.push_back(MorrisSums::deserialize(data, pos));
    if (pos < data.size()) { // absent from blocks of format-2 ledgers: no events
        const auto n_events = count();
        if (n_events > data.size() - pos)
            fail();
        for (std::uint64_t i = 0; i < n_events; ++i)
            b.events.push_back(std::bit_cast<std::uint64_t>(data[pos++]));
    }
    if (pos != data.size())
        fail();
    return b;
}

} // namespace chiprace::stats
