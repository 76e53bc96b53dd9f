#include "chiprace/stats/sobol_sums.hpp"

#include "chiprace/stats/interval.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace chiprace::stats {

namespace {

/// Whether V = b − c² (b the mean square, c the mean) is a variance rather than the rounding
/// residue of equal values. Equal values that are not exactly representable (0.1 …) leave a
/// residue of a few ulps of b, of either sign, which would divide the sums into indices of any
/// size; the caller's shift makes b about V for any output that varies, so the threshold (a
/// relative 1e-10, above the typical rounding √n·ε ≈ 1e-12 of n = 10^8 summands) never meets
/// a variance that the sums could resolve.
bool has_variance(double variance, double mean_square) {
    return variance > 1e-10 * mean_square && variance > 0.0;
}

} // namespace

SobolSums::SobolSums(std::size_t parameters, std::size_t replicates, bool second_order)
    : d_(parameters), replicates_(replicates),
      pairs_(second_order ? parameters * (parameters - (parameters > 0 ? 1 : 0)) / 2 : 0),
      second_(second_order), sums_(shared + 2 * per_term * parameters + pairs_ +
                                       replicates * (3 + 2 * parameters + pairs_),
                                   0.0) {}

void SobolSums::add(double f_a, double f_b, std::span<const double> f_ab,
                    std::span<const double> weights, std::span<const double> f_ba) {
    if (f_ab.size() != d_ || weights.size() != replicates_ ||
        (second_ ? f_ba.size() != d_ : !f_ba.empty()))
        throw std::invalid_argument("SobolSums: wrong number of values or weights");
    bool finite = std::isfinite(f_a) && std::isfinite(f_b);
    for (const double v : f_ab)
        finite = finite && std::isfinite(v);
    for (const double v : f_ba)
        finite = finite && std::isfinite(v);
    if (!finite) {
        ++skipped_;
        return;
    }
    ++n_;
    double* s = sums_.data();
    const double c = 0.5 * (f_a + f_b);
    const double b = 0.5 * (f_a * f_a + f_b * f_b);
    s[0] += c;
    s[1] += b;
    s[2] += c * c;
    s[3] += b * b;
    s[4] += b * c;
    for (std::size_t k = 0; k < d_; ++k) {
        const double a = f_b * (f_ab[k] - f_a);
        const double t = 0.5 * (f_a - f_ab[k]) * (f_a - f_ab[k]);
        double* x = s + shared + 2 * per_term * k;
        x[0] += a;
        x[1] += a * a;
        x[2] += a * b;
        x[3] += a * c;
        x[4] += t;
        x[5] += t * t;
        x[6] += t * b;
        x[7] += t * c;
    }
    // Pair (j, k), j < k, at index j(2d − j − 1)/2 + k − j − 1.
    const double ab = f_a * f_b;
    if (second_) {
        double* p = s + pair_offset();
        for (std::size_t j = 0, i = 0; j < d_; ++j)
            for (std::size_t k = j + 1; k < d_; ++k, ++i)
                p[i] += f_ba[j] * f_ab[k] - ab;
    }
    for (std::size_t r = 0; r < replicates_; ++r) {
        const double w = weights[r];
        if (w == 0.0)
            continue;
        if (second_) {
            double* p = s + replicate_offset(r) + 3 + 2 * d_;
            for (std::size_t j = 0, i = 0; j < d_; ++j)
                for (std::size_t k = j + 1; k < d_; ++k, ++i)
                    p[i] += w * (f_ba[j] * f_ab[k] - ab);
        }
        double* x = s + replicate_offset(r);
        x[0] += w;
        x[1] += w * c;
        x[2] += w * b;
        for (std::size_t k = 0; k < d_; ++k) {
            const double a = f_b * (f_ab[k] - f_a);
            const double t = 0.5 * (f_a - f_ab[k]) * (f_a - f_ab[k]);
            x[3 + k] += w * a;
            x[3 + d_ + k] += w * t;
        }
    }
}

void SobolSums::merge(const SobolSums& right) {
    if (right.d_ != d_ || right.replicates_ != replicates_ || right.second_ != second_)
        throw std::logic_error("SobolSums: merging sums of different shapes");
    n_ += right.n_;
    skipped_ += right.skipped_;
    for (std::size_t i = 0; i < sums_.size(); ++i)
        sums_[i] += right.sums_[i];
}

SobolEstimate SobolSums::estimate(double level) const {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    SobolEstimate e;
    e.n = n_;
    e.skipped = skipped_;
    for (auto* v : {&e.first, &e.total, &e.first_conf, &e.total_conf, &e.first_delta_conf,
                    &e.total_delta_conf, &e.first_low, &e.first_high, &e.total_low, &e.total_high})
        v->assign(d_, nan);
    e.variance = nan;
    // Every shape is complete before any early return: writers index them by parameter pair.
    if (second_)
        for (auto* v : {&e.second, &e.second_conf, &e.second_low, &e.second_high})
            v->assign(d_ * d_, nan);
    if (n_ < 2) {
        e.undefined_reason =
            n_ == 0 ? (skipped_ > 0 ? undefined_no_finite_base_point : undefined_no_base_point)
                    : undefined_single_base_point;
        return e;
    }
    const double n = static_cast<double>(n_);
    const double* s = sums_.data();
    const double c = s[0] / n, b = s[1] / n;
    const double variance = b - c * c;
    e.variance = variance;
    if (!has_variance(variance, b)) {
        if (!std::isnan(variance))
            e.variance = 0.0; // the residue of equal values, of either sign, is no variance
        e.undefined_reason = undefined_zero_variance;
        return e;
    }
    // Sample covariances of the per-base-point terms (n − 1 denominator).
    auto cov = [&](double sum_xy, double mean_x, double mean_y) {
        return (sum_xy - n * mean_x * mean_y) / (n - 1.0);
    };
    const double var_b = cov(s[3], b, b), var_c = cov(s[2], c, c), cov_bc = cov(s[4], b, c);
    const double z = normal_two_sided_z(level);
    auto delta_half_width = [&](const double* x) {
        const double mean = x[0] / n;
        const double var_x = cov(x[1], mean, mean), cov_xb = cov(x[2], mean, b),
                     cov_xc = cov(x[3], mean, c);
        // Gradient of mean / (b − c²) with respect to (mean, b, c).
        const double g0 = 1.0 / variance, g1 = -mean / (variance * variance),
                     g2 = 2.0 * c * mean / (variance * variance);
        const double q = g0 * g0 * var_x + g1 * g1 * var_b + g2 * g2 * var_c +
                         2.0 * (g0 * g1 * cov_xb + g0 * g2 * cov_xc + g1 * g2 * cov_bc);
        return z * std::sqrt(std::max(0.0, q) / n);
    };
    for (std::size_t k = 0; k < d_; ++k) {
        const double* a = s + shared + 2 * per_term * k;
        const double* t = a + per_term;
        e.first[k] = a[0] / n / variance;
        e.total[k] = t[0] / n / variance;
        e.first_delta_conf[k] = delta_half_width(a);
        e.total_delta_conf[k] = delta_half_width(t);
    }
    if (second_) {
        const double* p = s + pair_offset();
        for (std::size_t j = 0, i = 0; j < d_; ++j)
            for (std::size_t k = j + 1; k < d_; ++k, ++i)
                e.second[j * d_ + k] = e.second[k * d_ + j] =
                    p[i] / n / variance - e.first[j] - e.first[k];
    }
    if (replicates_ < 2)
        return e;
    std::vector<std::vector<double>> first(d_), total(d_), second(pairs_);
    for (std::size_t r = 0; r < replicates_; ++r) {
        const double* x = s + replicate_offset(r);
        const double w = x[0];
        if (!(w > 1.0))
            continue;
        const double cw = x[1] / w, bw = x[2] / w, vw = bw - cw * cw;
        if (!has_variance(vw, bw))
            continue;
        for (std::size_t k = 0; k < d_; ++k) {
            first[k].push_back(x[3 + k] / w / vw);
            total[k].push_back(x[3 + d_ + k] / w / vw);
        }
        for (std::size_t j = 0, i = 0; second_ && j < d_; ++j)
            for (std::size_t k = j + 1; k < d_; ++k, ++i)
                second[i].push_back(x[3 + 2 * d_ + i] / w / vw - x[3 + j] / w / vw -
                                    x[3 + k] / w / vw);
    }
    for (std::size_t j = 0, i = 0; second_ && j < d_; ++j)
        for (std::size_t k = j + 1; k < d_; ++k, ++i) {
            const auto ci = bootstrap_interval(second[i], level);
            e.second_conf[j * d_ + k] = e.second_conf[k * d_ + j] = z * ci.sd;
            e.second_low[j * d_ + k] = e.second_low[k * d_ + j] = ci.low;
            e.second_high[j * d_ + k] = e.second_high[k * d_ + j] = ci.high;
        }
    for (std::size_t k = 0; k < d_; ++k) {
        const auto f = bootstrap_interval(first[k], level);
        const auto t = bootstrap_interval(total[k], level);
        e.first_conf[k] = z * f.sd;
        e.total_conf[k] = z * t.sd;
        e.first_low[k] = f.low;
        e.first_high[k] = f.high;
        e.total_low[k] = t.low;
        e.total_high[k] = t.high;
    }
    return e;
}

void SobolSums::serialize(std::vector<double>& out) const {
    out.push_back(std::bit_cast<double>(std::uint64_t{d_}));
    out.push_back(std::bit_cast<double>(std::uint64_t{replicates_}));
    out.push_back(std::bit_cast<double>(std::uint64_t{second_ ? 1u : 0u}));
    out.push_back(std::bit_cast<double>(n_));
    out.push_back(std::bit_cast<double>(skipped_));
    out.insert(out.end(), sums_.begin(), sums_.end());
}

SobolSums SobolSums::deserialize(std::span<const double> data, std::size_t& pos) {
    if (data.size() < pos + 5)
        throw std::runtime_error("SobolSums: corrupt serialized sums");
    const auto d = std::bit_cast<std::uint64_t>(data[pos]);
    const auto replicates = std::bit_cast<std::uint64_t>(data[pos + 1]);
    const auto second = std::bit_cast<std::uint64_t>(data[pos + 2]);
    if (d > (1u << 16) || replicates > (1u << 20) || second > 1)
        throw std::runtime_error("SobolSums: corrupt serialized sums");
    SobolSums s(d, replicates, second == 1);
    s.n_ = std::bit_cast<std::uint64_t>(data[pos + 3]);
    s.skipped_ = std::bit_cast<std::uint64_t>(data[pos + 4]);
    pos += 5;
    if (data.size() - pos < s.sums_.size())
        throw std::runtime_error("SobolSums: corrupt serialized sums");
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), s.sums_.size(), s.sums_.begin());
    pos += s.sums_.size();
    return s;
}

} // namespace chiprace::stats
