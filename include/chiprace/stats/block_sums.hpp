#pragma once
// Everything one block contributes to a run's summaries that must be merged in block order:
// the moments of every column and, with a sensitivity design, the Sobol' or Morris sums of
// the analysed columns. The unit of the run's dyadic reduction (stats/dyadic_reduction.hpp).

#include "chiprace/stats/calibration_weights.hpp"
#include "chiprace/stats/column_summary.hpp"
#include "chiprace/stats/morris_sums.hpp"
#include "chiprace/stats/sobol_sums.hpp"
#include "chiprace/stats/weighted_moments.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace chiprace::stats {

struct BlockSums {
    MomentsBlock moments;
    std::vector<SobolSums> sobol;   // one per analysed column, or none
    std::vector<MorrisSums> morris; // one per analysed column, or none
    /// Samples meeting each counted event, per (group, output, event, year) slot in the
    /// runner's order (event_slots in parallel/runner.cpp), or none. Merged by addition.
    std::vector<std::uint64_t> events;
    /// Calibration ([calibration]): the weighted moments of every posterior column and the
    /// weights' sums; empty without calibration.
    std::vector<WeightedMoments> posterior;
    std::optional<CalibrationSums> calibration;

    /// right covers the blocks after this one's.
    void merge(const BlockSums& right);
    [[nodiscard]] std::vector<double> serialize() const;
    static BlockSums deserialize(std::span<const double> data);
};

} // namespace chiprace::stats
