#include "chiprace/random/quantile_table.hpp"

#include <algorithm>
#include <cmath>

namespace chiprace::random {

namespace {

bool usable(const std::optional<QuantileTable::Node>& n) {
    return n && std::isfinite(n->y) && std::isfinite(n->dy) && std::isfinite(n->d2y) && n->dy > 0;
}

/// The quintic on s in [0, 1] matching value, first and second derivative (per unit t, so
/// scaled by h and h²) at both ends.
std::array<double, 6> quintic(const QuantileTable::Node& left, const QuantileTable::Node& right,
                              double h) {
    const double y0 = left.y, y1 = right.y, d = y1 - y0;
    const double m0 = left.dy * h, m1 = right.dy * h;
    const double k0 = left.d2y * h * h, k1 = right.d2y * h * h;
    return {y0,
            m0,
            0.5 * k0,
            10.0 * d - 6.0 * m0 - 4.0 * m1 - 1.5 * k0 + 0.5 * k1,
            -15.0 * d + 8.0 * m0 + 7.0 * m1 + 1.5 * k0 - k1,
            6.0 * d - 3.0 * m0 - 3.0 * m1 - 0.5 * k0 + 0.5 * k1};
}

/// Sufficient for a nondecreasing piece: the derivative's Bernstein coefficients on [0, 1]
/// are all nonnegative (the derivative is then a convex combination of nonnegative numbers).
bool nondecreasing(const std::array<double, 6>& c) {
    const double d0 = c[1], d1 = 2.0 * c[2], d2 = 3.0 * c[3], d3 = 4.0 * c[4], d4 = 5.0 * c[5];
    const double b[5] = {d0, d0 + d1 / 4.0, d0 + d1 / 2.0 + d2 / 6.0,
                         d0 + 0.75 * d1 + d2 / 2.0 + d3 / 4.0, d0 + d1 + d2 + d3 + d4};
    return std::all_of(std::begin(b), std::end(b), [](double v) { return v >= 0.0; });
}

double at_half(const std::array<double, 6>& c) {
    const double s = 0.5;
    return c[0] + s * (c[1] + s * (c[2] + s * (c[3] + s * (c[4] + s * c[5]))));
}

} // namespace

std::optional<QuantileTable> QuantileTable::build(const Exact& exact, const Options& options) {
    // Narrow the ends by whole units to where the exact quantile is usable.
    int lo = -options.t_max, hi = options.t_max;
    while (lo < hi && !usable(exact(lo)))
        ++lo;
    while (hi > lo && !usable(exact(hi)))
        --hi;
    if (hi - lo < 2)
        return std::nullopt;
    const double t0 = lo;

    // Nodes on the coarsest grid.
    double h = std::ldexp(1.0, options.coarsest_step_log2);
    std::size_t n =
        static_cast<std::size_t>(std::ldexp(double(hi - lo), -options.coarsest_step_log2));
    std::vector<Node> nodes(n + 1);
    for (std::size_t i = 0; i <= n; ++i) {
        const auto e = exact(t0 + static_cast<double>(i) * h);
        if (!usable(e))
            return std::nullopt;
        nodes[i] = *e;
    }

    double previous_worst = std::numeric_limits<double>::infinity();
    for (int level = options.coarsest_step_log2;; --level) {
        std::vector<std::array<double, 6>> pieces(n);
        std::vector<Node> midpoints(n);
        double worst = 0.0;
        bool good = true;
        for (std::size_t i = 0; i < n; ++i) {
            pieces[i] = quintic(nodes[i], nodes[i + 1], h);
            // (i + 1/2) h == (2i + 1) (h/2) exactly: the midpoints are the next grid's nodes.
            const auto e = exact(t0 + (static_cast<double>(i) + 0.5) * h);
            if (!usable(e))
                return std::nullopt;
            midpoints[i] = *e;
            const double error = std::abs(at_half(pieces[i]) - e->y);
            worst = std::max(worst, error);
            const double allowed =
                options.tolerance + 16.0 * std::numeric_limits<double>::epsilon() * std::abs(e->y);
            if (!(error <= allowed) || !nondecreasing(pieces[i]))
                good = false;
        }
        if (good) {
            QuantileTable table;
            table.t_low_ = t0;
            table.t_high_ = t0 + static_cast<double>(n) * h;
            table.inv_h_ = 1.0 / h;
            table.intervals_ = static_cast<double>(n);
            table.max_midpoint_error_ = worst;
            table.coefficients_ = std::move(pieces);
            return table;
        }
        // Halving the step divides a quintic's error by ~64; by less than 4, the error is the
        // exact quantile's own noise, which no grid removes.
        if (level <= options.finest_step_log2 || worst > previous_worst / 4.0)
            return std::nullopt;
        previous_worst = worst;
        std::vector<Node> finer(2 * n + 1);
        for (std::size_t i = 0; i < n; ++i) {
            finer[2 * i] = nodes[i];
            finer[2 * i + 1] = midpoints[i];
        }
        finer[2 * n] = nodes[n];
        nodes = std::move(finer);
        n *= 2;
        h *= 0.5;
    }
}

} // namespace chiprace::random
