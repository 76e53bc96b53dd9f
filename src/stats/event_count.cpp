#include "chiprace/stats/event_count.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace chiprace::stats {

const char* comparison_symbol(Comparison c) {
    switch (c) {
    case Comparison::less:
        return "<";
    case Comparison::less_equal:
        return "<=";
    case Comparison::greater:
        return ">";
    case Comparison::greater_equal:
        return ">=";
    }
    return "?";
}

namespace {
template <class Meets>
std::uint64_t count_if_meets(std::span<const double> values, Meets meets) {
    std::uint64_t n = 0;
    for (const double x : values)
        n += meets(x) ? 1 : 0;
    return n;
}
} // namespace

std::uint64_t count_meeting(std::span<const double> values, Comparison c, double threshold) {
    switch (c) {
    case Comparison::less:
        return count_if_meets(values, [threshold](double x) { return x < threshold; });
    case Comparison::less_equal:
        return count_if_meets(values, [threshold](double x) { return x <= threshold; });
    case Comparison::greater:
        return count_if_meets(values, [threshold](double x) { return x > threshold; });
    case Comparison::greater_equal:
        return count_if_meets(values, [threshold](double x) { return x >= threshold; });
    }
    return 0;
}

ProportionInterval wilson_interval(std::uint64_t k, std::uint64_t n, double z) {
    if (n == 0)
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    const double nn = static_cast<double>(n);
    const double p = static_cast<double>(k) / nn;
    const double z2 = z * z;
    const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    // At k = 0 (or n) the exact bound is 0 (or 1); rounding must not move it off.
    return {k == 0 ? 0.0 : std::max(0.0, centre - half),
            k == n ? 1.0 : std::min(1.0, centre + half)};
}

} // namespace chiprace::stats
