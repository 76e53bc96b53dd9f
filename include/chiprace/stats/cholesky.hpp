#pragma once
// Cholesky factorisation A = L Lᵀ of a small dense symmetric positive definite matrix, with
// the solves and the diagonal of the inverse that regression on correlation matrices needs.
// Our own code, for d of at most a few hundred: no LAPACK dependency for one d×d system.
//
// Singularity is judged relative to each diagonal entry: pivot k fails when the part of
// A_kk that the earlier rows leave unexplained, A_kk − Σ_j L_kj², is at most
// tolerance · A_kk. On a correlation matrix that is "variable k keeps at most `tolerance` of
// its variance once regressed on variables 0…k−1", a scale-free criterion.

#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

namespace chiprace::stats {

/// The matrix is (numerically) singular: row index() is, within the tolerance, a linear
/// combination of the rows before it.
class SingularMatrix : public std::runtime_error {
public:
    SingularMatrix(std::size_t index, double residual);
    [[nodiscard]] std::size_t index() const { return index_; }
    /// A_kk − Σ_j L_kj² relative to A_kk at the failing pivot.
    [[nodiscard]] double residual() const { return residual_; }

private:
    std::size_t index_;
    double residual_;
};

class Cholesky {
public:
    /// a: n×n row-major, symmetric (only the lower triangle is read). Throws SingularMatrix,
    /// and std::invalid_argument for a wrong size or a non-finite entry.
    Cholesky(std::span<const double> a, std::size_t n, double tolerance);

    [[nodiscard]] std::size_t size() const { return n_; }
    /// L, n×n row-major, zero above the diagonal.
    [[nodiscard]] const std::vector<double>& lower() const { return l_; }

    /// z with L z = b.
    [[nodiscard]] std::vector<double> solve_lower(std::span<const double> b) const;
    /// x with Lᵀ x = z.
    [[nodiscard]] std::vector<double> solve_upper(std::span<const double> z) const;
    /// x with A x = b.
    [[nodiscard]] std::vector<double> solve(std::span<const double> b) const;
    /// (A⁻¹)_kk for every k, from L⁻¹: (A⁻¹)_kk = Σ_i (L⁻¹)_ik².
    [[nodiscard]] std::vector<double> inverse_diagonal() const;

private:
    std::size_t n_;
    std::vector<double> l_;
};

} // namespace chiprace::stats
