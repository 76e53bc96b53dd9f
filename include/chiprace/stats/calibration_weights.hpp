#pragma once
// Importance weights of sampled futures by their calibration targets (docs/calibration.md):
// a future's weight is the product of its targets' likelihoods (each scaled to 1 at its
// maximum), and the run keeps the sums that give the Kish effective sample size.

#include "chiprace/stats/observation.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace chiprace::stats {

/// Weights enter the quantile sketches as integers of this many units per weight 1, so that
/// sketches still merge exactly in any order; weights below half a unit (7.6e-6) count 0 there
/// (not in the moments). A power of two: equal weights give the unweighted quantiles exactly.
inline constexpr double weight_units_per_one = 65536.0; // 2^16

/// Sums over the samples of a range of blocks, merged in block order like the moments.
struct CalibrationSums {
    double sum_w = 0.0, sum_w2 = 0.0, max_w = 0.0;
    std::uint64_t n_positive = 0;                    // samples of positive weight
    std::vector<double> target_sum_w, target_sum_w2; // each target's likelihood alone

    explicit CalibrationSums(std::size_t targets = 0)
        : target_sum_w(targets, 0.0), target_sum_w2(targets, 0.0) {}

    /// right covers the blocks after this one's.
    void merge(const CalibrationSums& right);
    void serialize(std::vector<double>& out) const;
    static CalibrationSums deserialize(std::span<const double> data, std::size_t& pos);

    /// Kish's effective sample size (Σw)² / Σw²; 0 when every weight is 0.
    [[nodiscard]] double ess() const { return sum_w2 > 0.0 ? sum_w * sum_w / sum_w2 : 0.0; }
    [[nodiscard]] double target_ess(std::size_t t) const {
        return target_sum_w2[t] > 0.0 ? target_sum_w[t] * target_sum_w[t] / target_sum_w2[t] : 0.0;
    }
};

/// The weights of n samples: values[t] holds target t's output for each sample. Writes each
/// sample's weight and its sketch units, and returns the block's sums.
CalibrationSums calibration_weights(std::span<const Observation> targets,
                                    std::span<const std::span<const double>> values,
                                    std::span<double> weight, std::span<std::uint64_t> units);

} // namespace chiprace::stats
