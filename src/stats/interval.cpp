#include "chiprace/stats/interval.hpp"

#include <algorithm>
#include <array>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>

namespace chiprace::stats {

double normal_two_sided_z(double level) {
    return boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + 0.5 * level);
}

BootstrapInterval bootstrap_interval(std::vector<double>& x, double level) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    if (x.size() < 2)
        return {nan, nan, nan};
    double mean = 0.0;
    for (const double v : x)
        mean += v;
    mean /= static_cast<double>(x.size());
    double ss = 0.0;
    for (const double v : x)
        ss += (v - mean) * (v - mean);
    std::sort(x.begin(), x.end());
    auto quantile = [&](double q) {
        const double h = q * static_cast<double>(x.size() - 1);
        const auto i = static_cast<std::size_t>(std::floor(h));
        const std::size_t j = std::min(i + 1, x.size() - 1);
        return x[i] + (h - static_cast<double>(i)) * (x[j] - x[i]);
    };
    return {std::sqrt(ss / static_cast<double>(x.size() - 1)), quantile(0.5 - 0.5 * level),
            quantile(0.5 + 0.5 * level)};
}

double poisson1_from_uniform(double u) {
    // P(K <= k) for Poisson(1), k = 0 … 17; past that the CDF is 1 to double precision.
    static const std::array<double, 18> cdf = [] {
        std::array<double, 18> c{};
        double p = std::exp(-1.0), sum = 0.0;
        for (std::size_t k = 0; k < c.size(); ++k) {
            sum += p;
            c[k] = sum;
            p /= static_cast<double>(k + 1);
        }
        return c;
    }();
    std::size_t k = 0;
    while (k + 1 < cdf.size() && u > cdf[k])
        ++k;
    return static_cast<double>(k);
}

} // namespace chiprace::stats
