#pragma once
// Rank correlations of every input with one output over N stored rows: Spearman's rho, the
// standardised rank regression coefficients (SRRC) and the partial rank correlation
// coefficients (PRCC) (Iman & Conover 1979; Saltelli et al. 2004, "Sensitivity Analysis in
// Practice", ch. 1; Marino et al. 2008, J. Theor. Biol. 254).
//
// Everything is computed on average ranks (ties share the mean of the ranks they span). With
// C the (d+1)×(d+1) correlation matrix of the ranks of x_1…x_d and y, R_xx its input block and
// r_xy its last column:
//   spearman_i = C_iy
//   srrc = β with R_xx β = r_xy           (the coefficients of the rank regression of y)
//   prcc_i = −P_iy / sqrt(P_ii P_yy)      with P = C⁻¹
// P is never formed: by the block inverse of C (Schur complement 1 − R², R² = r_xyᵀ β),
//   P_yy = 1/(1 − R²),  P_iy = −β_i/(1 − R²),  P_ii = (R_xx⁻¹)_ii + β_i²/(1 − R²),
// so prcc_i = β_i / sqrt((1 − R²)(R_xx⁻¹)_ii + β_i²), which needs only the Cholesky factor of
// R_xx and stays defined (±1) when y's ranks are exactly a combination of the inputs'.
//
// Rows: a row with a non-finite input is dropped for every output, and a row whose output is
// not finite is dropped for that output; the ranks are those of the rows used (n_used), as if
// the dropped rows had never been drawn.
//
// Memory: the inputs are ranked once and kept as d columns of N doubles; the values are not
// kept. Each output column is ranked in the caller's buffer. Together 8·N·(d+1) bytes, plus
// 8·N bytes of scratch (the centred output ranks; sorting needs 4·N of them, 8·N above 2^32
// rows) and 8 bytes per dropped row.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace chiprace::stats {

/// Replaces the values by their average ranks, 1-based, among the finite values; non-finite
/// values become NaN. Tied values share the mean of the ranks they span, so the ranks of n
/// finite values always sum to n(n+1)/2 and are multiples of 1/2.
void rank_in_place(std::span<double> values);
[[nodiscard]] std::vector<double> average_ranks(std::span<const double> values);

struct RankCorrelationEstimate {
    /// One per input; NaN for an input constant on the rows used, and all NaN when the output
    /// is constant or fewer than 2 rows are used. srrc and prcc are also all NaN when too few
    /// rows are used for the regression.
    std::vector<double> spearman, srrc, prcc;
    /// R² of the rank regression (r_xyᵀ β): the share of the output ranks' variance that a
    /// linear function of the input ranks explains, how far SRRC can be trusted; NaN whenever
    /// srrc is.
    double r_squared = std::numeric_limits<double>::quiet_NaN();
    std::uint64_t n_used = 0;
    std::uint64_t n_dropped = 0; // rows with a non-finite input or output value
    std::vector<std::size_t> constant_inputs;
    bool constant_output = false;
    /// SRRC and PRCC need more rows than non-constant inputs plus one.
    bool too_few_rows = false;
};

/// The ranks of the non-constant inputs are linearly dependent on the rows used (one input's
/// ranks are, within the tolerance, a linear combination of the others'): SRRC and PRCC are
/// not defined.
class SingularRankCorrelation : public std::runtime_error {
public:
    SingularRankCorrelation(std::size_t input, double residual, const std::string& message)
        : std::runtime_error(message), input_(input), residual_(residual) {}
    [[nodiscard]] std::size_t input() const { return input_; }
    [[nodiscard]] double residual() const { return residual_; }

private:
    std::size_t input_;
    double residual_;
};

class RankCorrelation {
public:
    /// An input whose ranks keep less than this share of their variance once regressed on the
    /// other inputs' ranks makes the system singular.
    static constexpr double singular_tolerance = 1e-10;

    explicit RankCorrelation(std::size_t rows) : rows_(rows) {}

    /// Ranks one input column (rows() values) and keeps the ranks; inputs in parameter order.
    void add_input(std::span<const double> values);

    [[nodiscard]] std::size_t rows() const { return rows_; }
    [[nodiscard]] std::size_t inputs() const { return ranks_.size(); }
    /// Rows with a non-finite value in some input, dropped for every output.
    [[nodiscard]] std::size_t rows_with_bad_inputs() const { return bad_rows_.size(); }

    /// The coefficients of every input with one output column (rows() values). The column is
    /// replaced by its ranks among the rows used (NaN on dropped rows). Throws
    /// SingularRankCorrelation, whose input() indexes the inputs as added.
    [[nodiscard]] RankCorrelationEstimate analyse(std::span<double> output);

private:
    /// Turns input k's ranks among all its finite rows into ranks among the kept rows, in place
    /// (dropped rows keep theirs), and back: only one column of scratch at a time.
    void to_kept_ranks(std::size_t k, std::span<const std::size_t> dropped);
    void to_all_ranks(std::size_t k, std::span<const std::size_t> dropped);
    /// Sums of products of centred ranks over the kept rows (t not NaN), (d+1)×(d+1) row-major
    /// with y last; only the last row when inputs_too is false.
    void gram(std::span<const double> t, double centre, bool inputs_too, std::vector<double>& g);

    std::size_t rows_;
    std::vector<std::vector<double>> ranks_;
    std::vector<std::size_t> bad_rows_; // sorted
    std::vector<double> scratch_;       // sorted dropped ranks of one input
    std::vector<double> y_centred_;     // the output's centred ranks, 0 on dropped rows
    // The inputs' block of the last Gram matrix and the dropped rows it was computed over:
    // consecutive columns usually drop the same rows (often none), and then share it.
    std::vector<std::size_t> gram_dropped_;
    std::vector<double> gram_inputs_;
    bool gram_valid_ = false;
};

} // namespace chiprace::stats
