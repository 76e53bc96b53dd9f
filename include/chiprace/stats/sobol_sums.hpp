#pragma once
// Streaming Sobol' indices of one output from the pick-freeze design (design/saltelli_design):
// per base point j the model values f(A_j), f(B_j) and f(A_B^k_j) (A with column k from B).
//
// Estimators, with V the variance of the 2N pooled values f(A), f(B):
// - first order, Saltelli et al. (2010), Comput. Phys. Commun. 181, eq. (b) of table 2:
//   S_k = mean_j[ f(B_j) (f(A_B^k_j) − f(A_j)) ] / V
// - total order, Jansen (1999), Comput. Phys. Commun. 117:
//   ST_k = mean_j[ (f(A_j) − f(A_B^k_j))² ] / (2 V)
// Every value is first shifted by a constant (the caller's choice, the same for the whole run):
// the indices do not change, but f(B)(…) no longer carries the output's mean into the
// estimator's variance (an output of 10^26 FLOP with a spread of 10^25 otherwise loses the
// first-order index to cancellation).
//
// Everything is a sum over base points, so blocks of base points merge by addition. Merged in a
// fixed order (stats/dyadic_reduction.hpp), the result is bitwise the same for any cut.
//
// Intervals, at a level such as 0.95:
// - bootstrap: each base point carries a Poisson(1) weight per replicate, drawn by the caller
//   from the (seed, base point, replicate) stream, so replicates stream like the estimate
//   (Hanley & MacGibbon 2006; the "Poisson bootstrap" of Chamandy et al. 2012). Reported as
//   the percentile interval and as z·sd of the replicates (SALib's `_conf`).
// - asymptotic: the delta method on S = ā / (b̄ − c̄²) with a_j the estimator's summand,
//   b_j = (f(A_j)² + f(B_j)²)/2 and c_j = (f(A_j) + f(B_j))/2, using their sample covariance.
// - second order (optional, with the B_A^k runs), Saltelli (2002), as SALib computes it:
//   S_jk = mean_j[ f(B_A^j) f(A_B^k) − f(A) f(B) ] / V − S_j − S_k, with bootstrap intervals.
// Base points where any of their values is not finite are skipped and counted.
// Zero variance or fewer than two base points: every index and interval is NaN, with the reason.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace chiprace::stats {

/// Why every index of a column is NaN (SobolEstimate::undefined_reason). An index is a share of
/// the variance V of f(A), f(B): with V = 0 (a constant output, a contrast of two policies that
/// do not differ there) every share is 0/0, and V needs at least two base points. The result
/// file records the reason as the attribute undefined_reason (docs/sensitivity.md).
inline constexpr std::string_view undefined_zero_variance =
    "the output has zero variance across the samples (every f(A) and f(B) is the same value, "
    "to within rounding): the indices are shares of a zero variance, 0/0";
inline constexpr std::string_view undefined_single_base_point =
    "a single base point with all values finite: the variance needs at least two";
inline constexpr std::string_view undefined_no_finite_base_point =
    "no base point had all its values finite";
inline constexpr std::string_view undefined_no_base_point = "no base point was run";

struct SobolEstimate {
    std::uint64_t n = 0;       // base points used
    std::uint64_t skipped = 0; // base points with a non-finite value
    double variance = 0.0;     // V
    std::vector<double> first, total;
    /// Half-widths: z·sd of the bootstrap replicates, and of the delta-method interval.
    std::vector<double> first_conf, total_conf, first_delta_conf, total_delta_conf;
    /// Percentile bootstrap interval.
    std::vector<double> first_low, first_high, total_low, total_high;
    /// Second order (d × d, symmetric, NaN on the diagonal); empty without it.
    std::vector<double> second, second_conf, second_low, second_high;
    /// Empty when the indices are defined; otherwise one of the undefined_* texts above, and
    /// every index and interval is NaN.
    std::string_view undefined_reason;
};

class SobolSums {
public:
    SobolSums() = default;
    SobolSums(std::size_t parameters, std::size_t replicates, bool second_order = false);

    /// One base point: f(A), f(B), f(A_B^k) for k < d, and with second order f(B_A^k), already
    /// shifted; one Poisson weight per bootstrap replicate.
    void add(double f_a, double f_b, std::span<const double> f_ab, std::span<const double> weights,
             std::span<const double> f_ba = {});
    /// right holds the base points after this one's.
    void merge(const SobolSums& right);

    [[nodiscard]] std::size_t parameters() const { return d_; }
    [[nodiscard]] std::size_t replicates() const { return replicates_; }
    [[nodiscard]] bool second_order() const { return second_; }
    [[nodiscard]] std::uint64_t count() const { return n_; }

    /// NaN indices (with second order, NaN d × d matrices) and an undefined_reason with fewer
    /// than two base points or zero variance.
    [[nodiscard]] SobolEstimate estimate(double level) const;

    void serialize(std::vector<double>& out) const;
    /// Reads what serialize wrote at data[pos...], advancing pos.
    static SobolSums deserialize(std::span<const double> data, std::size_t& pos);

private:
    // Layout of sums_: 5 shared sums (Σc, Σb, Σc², Σb², Σbc), then per parameter k the
    // first-order a_k and total-order t_k sums, each 4 numbers (Σx, Σx², Σxb, Σxc), then one
    // sum per pair j < k (second order); then per replicate 3 + 2d + pairs weighted sums
    // (Σw, Σwc, Σwb, Σw·a_k…, Σw·t_k…, Σw·p_jk…).
    static constexpr std::size_t shared = 5, per_term = 4;
    [[nodiscard]] std::size_t pair_offset() const { return shared + 2 * per_term * d_; }
    [[nodiscard]] std::size_t replicate_offset(std::size_t r) const {
        return pair_offset() + pairs_ + r * (3 + 2 * d_ + pairs_);
    }

    std::size_t d_ = 0, replicates_ = 0, pairs_ = 0;
    bool second_ = false;
    std::uint64_t n_ = 0, skipped_ = 0;
    std::vector<double> sums_;
};

} // namespace chiprace::stats
