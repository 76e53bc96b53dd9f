#include "chiprace/stats/column_summary.hpp"

#include <bit>
#include <limits>
#include <stdexcept>

namespace chiprace::stats {

void MomentsBlock::merge(const MomentsBlock& right) {
    if (right.columns.size() != columns.size())
        throw std::logic_error("MomentsBlock: merging blocks of different widths");
    for (std::size_t c = 0; c < columns.size(); ++c)
        columns[c].merge(right.columns[c]);
}

std::vector<double> MomentsBlock::serialize() const {
    std::vector<double> out;
    out.reserve(columns.size() * 6);
    for (const auto& m : columns) {
        // Counts travel as bit patterns so that no value is rounded.
        out.push_back(std::bit_cast<double>(m.count));
        out.push_back(std::bit_cast<double>(m.non_finite));
        out.push_back(m.mean);
        out.push_back(m.m2);
        out.push_back(m.min);
        out.push_back(m.max);
    }
    return out;
}

MomentsBlock MomentsBlock::deserialize(std::span<const double> data) {
    if (data.size() % 6 != 0)
        throw std::runtime_error("MomentsBlock: corrupt serialized moments");
    MomentsBlock b;
    b.columns.resize(data.size() / 6);
    for (std::size_t c = 0; c < b.columns.size(); ++c) {
        const auto* p = data.data() + 6 * c;
        b.columns[c] = {std::bit_cast<std::uint64_t>(p[0]),
                        std::bit_cast<std::uint64_t>(p[1]),
                        p[2],
                        p[3],
                        p[4],
                        p[5]};
    }
    return b;
}

void SketchSet::merge(const SketchSet& other) {
    if (other.columns.size() != columns.size())
        throw std::logic_error("SketchSet: merging sets of different widths");
    for (std::size_t c = 0; c < columns.size(); ++c)
        columns[c].merge(other.columns[c]);
}

std::vector<std::uint64_t> SketchSet::serialize() const {
    std::vector<std::uint64_t> out{columns.size()};
    for (const auto& h : columns) {
        const auto s = h.serialize();
        out.push_back(s.size());
        out.insert(out.end(), s.begin(), s.end());
    }
    return out;
}

std::vector<std::uint64_t>
SketchSet::serialize_sum(std::span<const SketchSet* const> held,
                         std::span<const std::span<const std::uint64_t>> serialized) {
    auto fail = [] { throw std::runtime_error("SketchSet: corrupt serialized sketches"); };
    std::size_t n_columns = held.empty() ? 0 : held.front()->columns.size();
    if (held.empty() && !serialized.empty() && !serialized.front().empty())
        n_columns = serialized.front()[0];
    for (const SketchSet* s : held)
        if (s->columns.size() != n_columns)
            throw std::logic_error("SketchSet: merging sets of different widths");
    std::vector<std::size_t> pos(serialized.size(), 1);
    for (const auto& data : serialized)
        if (data.empty() || data[0] != n_columns)
            fail();
    std::vector<std::uint64_t> out{n_columns};
    std::vector<const LogHistogram*> columns(held.size());
    std::vector<std::span<const std::uint64_t>> parts(serialized.size());
    for (std::size_t c = 0; c < n_columns; ++c) {
        for (std::size_t i = 0; i < held.size(); ++i)
            columns[i] = &held[i]->columns[c];
        for (std::size_t i = 0; i < serialized.size(); ++i) {
            const auto& data = serialized[i];
            if (pos[i] >= data.size() || data[pos[i]] > data.size() - pos[i] - 1)
                fail();
            parts[i] = data.subspan(pos[i] + 1, data[pos[i]]);
            pos[i] += 1 + data[pos[i]];
        }
        const auto s = LogHistogram::serialize_sum(columns, parts);
        out.push_back(s.size());
        out.insert(out.end(), s.begin(), s.end());
    }
    for (std::size_t i = 0; i < serialized.size(); ++i)
        if (pos[i] != serialized[i].size())
            fail();
    return out;
}

SketchSet SketchSet::deserialize(std::span<const std::uint64_t> data) {
    auto fail = [] { throw std::runtime_error("SketchSet: corrupt serialized sketches"); };
    if (data.empty())
        fail();
    SketchSet set;
    std::size_t pos = 1;
    for (std::uint64_t c = 0; c < data[0]; ++c) {
        if (pos >= data.size())
            fail();
        const auto len = data[pos++];
        if (len > data.size() - pos)
            fail();
        set.columns.push_back(LogHistogram::deserialize(data.subspan(pos, len)));
        pos += len;
    }
    return set;
}

namespace {

/// Everything of a summary but its quantiles, from unweighted or weighted moments alike.
template <typename Moments>
ColumnSummary summary_of(const Moments& moments) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    ColumnSummary s;
    s.n_finite = moments.count;
    s.n_non_finite = moments.non_finite;
    const bool any = moments.count > 0;
    s.mean = any ? moments.mean : nan;
    s.std_dev = moments.std_dev();
    s.min = any ? moments.min : nan;
    s.max = any ? moments.max : nan;
    return s;
}

} // namespace

ColumnSummary summarize(const RunningMoments& moments, const LogHistogram& sketch,
                        std::span<const double> levels) {
    auto s = summary_of(moments);
    s.quantiles = sketch.quantiles(levels, moments.min, moments.max);
    return s;
}

ColumnSummary summarize_weighted(const WeightedMoments& moments, const LogHistogram& sketch,
                                 std::span<const double> levels) {
    auto s = summary_of(moments);
    s.quantiles = sketch.weighted_quantiles(levels, moments.min, moments.max, moments.count);
    return s;
}

} // namespace chiprace::stats
