#include "chiprace/stats/calibration_weights.hpp"

#include <bit>
#include <cmath>
#include <stdexcept>

namespace chiprace::stats {

void CalibrationSums::merge(const CalibrationSums& right) {
    if (right.target_sum_w.size() != target_sum_w.size())
        throw std::logic_error("CalibrationSums: merging sums of different targets");
    sum_w += right.sum_w;
    sum_w2 += right.sum_w2;
    max_w = max_w < right.max_w ? right.max_w : max_w;
    n_positive += right.n_positive;
    for (std::size_t t = 0; t < target_sum_w.size(); ++t) {
        target_sum_w[t] += right.target_sum_w[t];
        target_sum_w2[t] += right.target_sum_w2[t];
    }
}

void CalibrationSums::serialize(std::vector<double>& out) const {
    out.push_back(std::bit_cast<double>(std::uint64_t{target_sum_w.size()}));
    out.push_back(sum_w);
    out.push_back(sum_w2);
    out.push_back(max_w);
    out.push_back(std::bit_cast<double>(n_positive));
    for (std::size_t t = 0; t < target_sum_w.size(); ++t) {
        out.push_back(target_sum_w[t]);
        out.push_back(target_sum_w2[t]);
    }
}

CalibrationSums CalibrationSums::deserialize(std::span<const double> data, std::size_t& pos) {
    auto fail = [] { throw std::runtime_error("CalibrationSums: corrupt serialized sums"); };
    if (data.size() - pos < 5)
        fail();
    const auto targets = std::bit_cast<std::uint64_t>(data[pos]);
    if (targets > (data.size() - pos - 5) / 2)
        fail();
    CalibrationSums s(targets);
    s.sum_w = data[pos + 1];
    s.sum_w2 = data[pos + 2];
    s.max_w = data[pos + 3];
    s.n_positive = std::bit_cast<std::uint64_t>(data[pos + 4]);
    pos += 5;
    for (std::size_t t = 0; t < targets; ++t) {
        s.target_sum_w[t] = data[pos++];
        s.target_sum_w2[t] = data[pos++];
    }
    return s;
}

CalibrationSums calibration_weights(std::span<const Observation> targets,
                                    std::span<const std::span<const double>> values,
                                    std::span<double> weight, std::span<std::uint64_t> units) {
    if (values.size() != targets.size())
        throw std::logic_error("calibration_weights: one column per target");
    const std::size_t n = weight.size();
    CalibrationSums sums(targets.size());
    for (std::size_t i = 0; i < n; ++i)
        weight[i] = 0.0; // the sum of log-likelihoods first
    for (std::size_t t = 0; t < targets.size(); ++t) {
        const auto& column = values[t];
        for (std::size_t i = 0; i < n; ++i) {
            const double log_l = targets[t].log_likelihood(column[i]);
            weight[i] += log_l;
            const double alone = std::exp(log_l);
            sums.target_sum_w[t] += alone;
            sums.target_sum_w2[t] += alone * alone;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        const double w = std::exp(weight[i]); // exp(0) = 1 exactly: no targets, weight 1
        weight[i] = w;
        units[i] = static_cast<std::uint64_t>(std::floor(w * weight_units_per_one + 0.5));
        sums.sum_w += w;
        sums.sum_w2 += w * w;
        sums.max_w = sums.max_w < w ? w : sums.max_w;
        sums.n_positive += w > 0.0 ? 1 : 0;
    }
    return sums;
}

} // namespace chiprace::stats
