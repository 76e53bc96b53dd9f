#pragma once
// The per-column statistics of a run: what goes to /summary/<output>.

#include "chiprace/stats/log_histogram.hpp"
#include "chiprace/stats/running_moments.hpp"
#include "chiprace/stats/weighted_moments.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace chiprace::stats {

/// Moments of every output column of a range of blocks: the node type of the dyadic
/// reduction.
struct MomentsBlock {
    std::vector<RunningMoments> columns;

    void merge(const MomentsBlock& right);
    [[nodiscard]] std::vector<double> serialize() const;
    static MomentsBlock deserialize(std::span<const double> data);
};

/// Quantile sketches of every output column; merged by exact addition in any order.
struct SketchSet {
    std::vector<LogHistogram> columns;

    SketchSet() = default;
    SketchSet(std::size_t n_columns, unsigned mantissa_bits)
        : columns(n_columns, LogHistogram(mantissa_bits)) {}
    /// One precision per column (LogHistogram::exact_integers for integer-valued columns).
    explicit SketchSet(const std::vector<unsigned>& mantissa_bits) {
        for (const unsigned b : mantissa_bits)
            columns.emplace_back(b);
    }
    void merge(const SketchSet& other);
    [[nodiscard]] std::vector<std::uint64_t> serialize() const;
    static SketchSet deserialize(std::span<const std::uint64_t> data);
    /// serialize() of the merge of `held` and of the serialized sets, column by column through
    /// LogHistogram::serialize_sum.
    static std::vector<std::uint64_t>
    serialize_sum(std::span<const SketchSet* const> held,
                  std::span<const std::span<const std::uint64_t>> serialized);
};

struct ColumnSummary {
    std::uint64_t n_finite = 0;
    std::uint64_t n_non_finite = 0;
    double mean, std_dev, min, max;
    std::vector<double> quantiles; // at the run's quantile levels
};

ColumnSummary summarize(const RunningMoments& moments, const LogHistogram& sketch,
                        std::span<const double> levels);
/// The posterior summary of a calibrated column: weighted moments and the weighted quantiles of
/// a sketch filled by LogHistogram::add_weighted. With every weight 1, summarize()'s bits.
ColumnSummary summarize_weighted(const WeightedMoments& moments, const LogHistogram& sketch,
                                 std::span<const double> levels);

} // namespace chiprace::stats
