#pragma once
// A fast, deterministic stand-in for a slow quantile function (beta, gamma): the quantile in a
// transformed coordinate y(t), tabulated on a uniform grid in t = logit(u) = log(u / (1 - u))
// as a piecewise quintic Hermite interpolant of the exact y, dy/dt and d²y/dt² at the nodes.
// In these coordinates beta and gamma quantiles are smooth and nearly straight in both tails
// (x ~ u^(1/alpha) becomes y ~ t / alpha), so ~1000 nodes reach ~1e-14. The step is a power
// of two and the ends are integers, so node positions and the cell index are exact.
//
// build() refines the grid by doubling until the interpolant is within a tolerance of the
// exact y at the midpoint of every interval (where the interpolation error of a smooth
// function peaks) and is monotone on every interval (nonnegative Bernstein coefficients of its
// derivative); it gives up, and the caller keeps the exact quantile, when it cannot (or when
// halving the step no longer helps: then the error is the exact values' own noise). Outside
// [t_low(), t_high()) the table answers NaN, and callers compute the tails exactly.

#include <array>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

namespace chiprace::random {

class QuantileTable {
public:
    /// The exact y and its first two derivatives with respect to t, at t.
    struct Node {
        double y, dy, d2y;
    };
    /// Nothing where y is not usable (the quantile underflows or is not finite).
    using Exact = std::function<std::optional<Node>(double t)>;

    struct Options {
        int t_max = 16;              ///< covers |t| <= t_max; 16: u in [1.1e-7, 1 - 1.1e-7]
        double tolerance = 2e-14;    ///< on |y_interpolated - y| at the midpoints, plus rounding
        int coarsest_step_log2 = -3; ///< the first grid's step, 1/8
        int finest_step_log2 = -9;   ///< the finest grid tried, 1/512 (16384 intervals)
    };

    /// The table of exact's y over [-t_max, t_max] (narrowed by whole units where exact gives
    /// nothing at the ends), or nothing when the tolerance or monotonicity cannot be met.
    static std::optional<QuantileTable> build(const Exact& exact, const Options& options);
    static std::optional<QuantileTable> build(const Exact& exact) { return build(exact, {}); }

    /// The interpolated y at t, or NaN when t is outside [t_low(), t_high()) or is NaN.
    [[nodiscard]] double operator()(double t) const {
        const double k = (t - t_low_) * inv_h_;
        if (!(k >= 0.0 && k < intervals_))
            return std::numeric_limits<double>::quiet_NaN();
        const auto i = static_cast<std::size_t>(k);
        const double s = k - static_cast<double>(i);
        const auto& c = coefficients_[i];
        return c[0] + s * (c[1] + s * (c[2] + s * (c[3] + s * (c[4] + s * c[5]))));
    }

    [[nodiscard]] double t_low() const { return t_low_; }
    [[nodiscard]] double t_high() const { return t_high_; }
    [[nodiscard]] std::size_t intervals() const { return coefficients_.size(); }
    /// The largest |interpolated - exact| of y found at the interval midpoints.
    [[nodiscard]] double max_midpoint_error() const { return max_midpoint_error_; }

private:
    QuantileTable() = default;
    double t_low_ = 0, t_high_ = 0, inv_h_ = 0, intervals_ = 0;
    double max_midpoint_error_ = 0;
    /// Per interval, the quintic in s = (t - t_i) / h in power form, lowest order first.
    std::vector<std::array<double, 6>> coefficients_;
};

} // namespace chiprace::random
