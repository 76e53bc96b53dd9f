#include "chiprace/random/gaussian_copula.hpp"

#include "chiprace/random/normal_quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace chiprace::random {

namespace {
double normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}
} // namespace

std::variant<GaussianCopula, GaussianCopula::Failure>
GaussianCopula::make(std::size_t dimension, const std::vector<RankCorrelation>& pairs) {
    GaussianCopula c;
    for (const auto& p : pairs) {
        c.dims_.push_back(p.first);
        c.dims_.push_back(p.second);
    }
    std::sort(c.dims_.begin(), c.dims_.end());
    c.dims_.erase(std::unique(c.dims_.begin(), c.dims_.end()), c.dims_.end());
    (void)dimension;
    const std::size_t m = c.dims_.size();
    auto pos = [&](std::size_t dim) {
        return static_cast<std::size_t>(std::lower_bound(c.dims_.begin(), c.dims_.end(), dim) -
                                        c.dims_.begin());
    };
    std::vector<double> r(m * m, 0.0);
    for (std::size_t i = 0; i < m; ++i)
        r[i * m + i] = 1.0;
    for (const auto& p : pairs) {
        const double rho = 2.0 * std::sin(std::numbers::pi * p.spearman / 6.0);
        r[pos(p.first) * m + pos(p.second)] = rho;
        r[pos(p.second) * m + pos(p.first)] = rho;
    }
    // Cholesky–Banachiewicz; a non-positive pivot means no such joint distribution exists.
    c.cholesky_.assign(m * m, 0.0);
    auto& l = c.cholesky_;
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j <= i; ++j) {
            double sum = r[i * m + j];
            for (std::size_t k = 0; k < j; ++k)
                sum -= l[i * m + k] * l[j * m + k];
            if (i == j) {
                if (!(sum > 1e-12)) {
                    // Blame the strongest correlation of the failing row with an earlier one.
                    std::size_t blame = 0;
                    for (std::size_t k = 1; k < i; ++k)
                        if (std::abs(r[i * m + k]) > std::abs(r[i * m + blame]))
                            blame = k;
                    return Failure{c.dims_[blame], c.dims_[i]};
                }
                l[i * m + i] = std::sqrt(sum);
            } else {
                l[i * m + j] = sum / l[j * m + j];
            }
        }
    }
    return c;
}

double GaussianCopula::score_correlation(std::size_t a, std::size_t b) const {
    const std::size_t m = dims_.size();
    double s = 0;
    for (std::size_t k = 0; k < m; ++k)
        s += cholesky_[a * m + k] * cholesky_[b * m + k];
    return s;
}

void GaussianCopula::apply(std::span<double> unit, std::size_t n) const {
    const std::size_t m = dims_.size();
    // Whole columns at a time (a column is contiguous in unit): the scores by the block
    // quantile, whose common case vectorises, then each correlated column as a running sum
    // over k in the same order as a point-by-point loop would take, so the bits do not depend
    // on the block size.
    std::vector<double> z(m * n), y(n);
    for (std::size_t a = 0; a < m; ++a)
        normal_quantiles(unit.subspan(dims_[a] * n, n), std::span(z).subspan(a * n, n));
    constexpr double lowest = std::numeric_limits<double>::min();
    for (std::size_t a = 0; a < m; ++a) {
        std::fill(y.begin(), y.end(), 0.0);
        for (std::size_t k = 0; k <= a; ++k) {
            const double l = cholesky_[a * m + k];
            const double* zk = z.data() + k * n;
            for (std::size_t i = 0; i < n; ++i)
                y[i] += l * zk[i];
        }
        // Φ can round to 0 or 1 beyond |z| ≈ 38: keep the open interval the quantiles need.
        double* column = unit.data() + dims_[a] * n;
        for (std::size_t i = 0; i < n; ++i)
            column[i] = std::clamp(normal_cdf(y[i]), lowest, 1.0 - 0x1.0p-53);
    }
}

} // namespace chiprace::random
