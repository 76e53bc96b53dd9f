#include "chiprace/stats/block_sums.hpp"

#include <bit>
#include <stdexcept>

namespace chiprace::stats {

void BlockSums::merge(const BlockSums& right) {
    if (right.sobol.size() != sobol.size() || right.morris.size() != morris.size() ||
        right.events.size() != events.size() || right.posterior.size() != posterior.size() ||
        right.calibration.has_value() != calibration.has_value())
        throw std::logic_error("BlockSums: merging blocks of different shapes");
    moments.merge(right.moments);
    for (std::size_t i = 0; i < sobol.size(); ++i)
        sobol[i].merge(right.sobol[i]);
    for (std::size_t i = 0; i < morris.size(); ++i)
        morris[i].merge(right.morris[i]);
    for (std::size_t i = 0; i < events.size(); ++i)
        events[i] += right.events[i];
    for (std::size_t i = 0; i < posterior.size(); ++i)
        posterior[i].merge(right.posterior[i]);
    if (calibration)
        calibration->merge(*right.calibration);
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
    // Calibrated runs only: ledgers without calibration end before this.
    if (calibration) {
        out.push_back(std::bit_cast<double>(std::uint64_t{posterior.size()}));
        for (const auto& w : posterior) {
            out.push_back(std::bit_cast<double>(w.count));
            out.push_back(std::bit_cast<double>(w.non_finite));
            out.push_back(w.sum_w);
            out.push_back(w.sum_w2);
            out.push_back(w.mean);
            out.push_back(w.m2);
            out.push_back(w.min);
            out.push_back(w.max);
        }
        calibration->serialize(out);
    }
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
    if (pos < data.size()) { // a calibrated run's
        const auto n_posterior = count();
        if (n_posterior > (data.size() - pos) / WeightedMoments::serialized_size)
            fail();
        b.posterior.resize(n_posterior);
        for (auto& w : b.posterior) {
            const double* p = data.data() + pos;
            w.count = std::bit_cast<std::uint64_t>(p[0]);
            w.non_finite = std::bit_cast<std::uint64_t>(p[1]);
            w.sum_w = p[2];
            w.sum_w2 = p[3];
            w.mean = p[4];
            w.m2 = p[5];
            w.min = p[6];
            w.max = p[7];
            pos += WeightedMoments::serialized_size;
        }
        b.calibration = CalibrationSums::deserialize(data, pos);
    }
    if (pos != data.size())
        fail();
    return b;
}

} // namespace chiprace::stats
