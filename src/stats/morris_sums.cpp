#include "chiprace/stats/morris_sums.hpp"

#include "chiprace/stats/interval.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace chiprace::stats {

MorrisSums::MorrisSums(std::size_t parameters, std::size_t replicates)
    : d_(parameters), replicates_(replicates),
      sums_(3 * parameters + replicates * (parameters + 1), 0.0) {}

void MorrisSums::add(std::span<const double> f, std::span<const std::size_t> moved,
                     std::span<const double> step, std::span<const double> weights) {
    if (f.size() != d_ + 1 || moved.size() != d_ || step.size() != d_ ||
        weights.size() != replicates_)
        throw std::invalid_argument("MorrisSums: wrong trajectory shape");
    for (const double v : f) {
        if (!std::isfinite(v)) {
            ++skipped_;
            return;
        }
    }
    ++n_;
    double* s = sums_.data();
    double* boot = s + 3 * d_;
    for (std::size_t i = 0; i < d_; ++i) {
        const std::size_t k = moved[i];
        if (k >= d_ || step[i] == 0.0)
            throw std::invalid_argument("MorrisSums: a step that moves no parameter");
        const double ee = (f[i + 1] - f[i]) / step[i];
        s[3 * k] += ee;
        s[3 * k + 1] += std::fabs(ee);
        s[3 * k + 2] += ee * ee;
        for (std::size_t r = 0; r < replicates_; ++r)
            boot[r * (d_ + 1) + k] += weights[r] * std::fabs(ee);
    }
    for (std::size_t r = 0; r < replicates_; ++r)
        boot[r * (d_ + 1) + d_] += weights[r];
}

void MorrisSums::merge(const MorrisSums& right) {
    if (right.d_ != d_ || right.replicates_ != replicates_)
        throw std::logic_error("MorrisSums: merging sums of different shapes");
    n_ += right.n_;
    skipped_ += right.skipped_;
    for (std::size_t i = 0; i < sums_.size(); ++i)
        sums_[i] += right.sums_[i];
}

MorrisEstimate MorrisSums::estimate(double level) const {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    MorrisEstimate e;
    e.trajectories = n_;
    e.skipped = skipped_;
    for (auto* v : {&e.mu, &e.mu_star, &e.sigma, &e.mu_star_conf, &e.mu_star_low, &e.mu_star_high})
        v->assign(d_, nan);
    if (n_ == 0) {
        e.undefined_reason = skipped_ > 0 ? morris_no_finite_trajectory : morris_no_trajectory;
        return e;
    }
    const double n = static_cast<double>(n_);
    const double* s = sums_.data();
    for (std::size_t k = 0; k < d_; ++k) {
        e.mu[k] = s[3 * k] / n;
        e.mu_star[k] = s[3 * k + 1] / n;
        if (n_ > 1)
            e.sigma[k] = std::sqrt(std::max(0.0, (s[3 * k + 2] - n * e.mu[k] * e.mu[k]) / (n - 1)));
    }
    // One trajectory has no spread: a bootstrap of it would be a zero-width interval, which
    // claims a certainty one draw cannot give.
    if (n_ < 2)
        e.undefined_reason = morris_single_trajectory;
    if (replicates_ < 2 || n_ < 2)
        return e;
    const double z = normal_two_sided_z(level);
    const double* boot = s + 3 * d_;
    for (std::size_t k = 0; k < d_; ++k) {
        std::vector<double> reps;
        for (std::size_t r = 0; r < replicates_; ++r) {
            const double w = boot[r * (d_ + 1) + d_];
            if (w > 0.0)
                reps.push_back(boot[r * (d_ + 1) + k] / w);
        }
        const auto ci = bootstrap_interval(reps, level);
        e.mu_star_conf[k] = z * ci.sd;
        e.mu_star_low[k] = ci.low;
        e.mu_star_high[k] = ci.high;
    }
    return e;
}

void MorrisSums::serialize(std::vector<double>& out) const {
    out.push_back(std::bit_cast<double>(std::uint64_t{d_}));
    out.push_back(std::bit_cast<double>(std::uint64_t{replicates_}));
    out.push_back(std::bit_cast<double>(n_));
    out.push_back(std::bit_cast<double>(skipped_));
    out.insert(out.end(), sums_.begin(), sums_.end());
}

MorrisSums MorrisSums::deserialize(std::span<const double> data, std::size_t& pos) {
    if (data.size() < pos + 4)
        throw std::runtime_error("MorrisSums: corrupt serialized sums");
    const auto d = std::bit_cast<std::uint64_t>(data[pos]);
    const auto replicates = std::bit_cast<std::uint64_t>(data[pos + 1]);
    if (d > (1u << 20) || replicates > (1u << 20))
        throw std::runtime_error("MorrisSums: corrupt serialized sums");
    MorrisSums s(d, replicates);
    s.n_ = std::bit_cast<std::uint64_t>(data[pos + 2]);
    s.skipped_ = std::bit_cast<std::uint64_t>(data[pos + 3]);
    pos += 4;
    if (data.size() - pos < s.sums_.size())
        throw std::runtime_error("MorrisSums: corrupt serialized sums");
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), s.sums_.size(), s.sums_.begin());
    pos += s.sums_.size();
    return s;
}

} // namespace chiprace::stats
