#include "chiprace/stats/cholesky.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace chiprace::stats {

namespace {

std::string singular_message(std::size_t index, double residual) {
    std::string s = "singular matrix: row ";
    s += std::to_string(index);
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", residual);
    s += " is a linear combination of the rows before it (relative residual ";
    s += text;
    s += ")";
    return s;
}

} // namespace

SingularMatrix::SingularMatrix(std::size_t index, double residual)
    : std::runtime_error(singular_message(index, residual)), index_(index), residual_(residual) {}

Cholesky::Cholesky(std::span<const double> a, std::size_t n, double tolerance)
    : n_(n), l_(n * n, 0.0) {
    if (a.size() != n * n)
        throw std::invalid_argument("Cholesky: the matrix is not n×n");
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t j = 0; j <= k; ++j) {
            double s = a[k * n + j];
            if (!std::isfinite(s))
                throw std::invalid_argument("Cholesky: a matrix entry is not finite");
            for (std::size_t i = 0; i < j; ++i)
                s -= l_[k * n + i] * l_[j * n + i];
            if (j < k) {
                l_[k * n + j] = s / l_[j * n + j];
                continue;
            }
            const double diagonal = a[k * n + k];
            // `!(s > …)` also catches a non-positive diagonal and a NaN residual.
            if (!(diagonal > 0.0) || !(s > tolerance * diagonal))
                throw SingularMatrix(k, diagonal > 0.0 ? s / diagonal : 0.0);
            l_[k * n + k] = std::sqrt(s);
        }
    }
}

std::vector<double> Cholesky::solve_lower(std::span<const double> b) const {
    if (b.size() != n_)
        throw std::invalid_argument("Cholesky: right-hand side of the wrong length");
    std::vector<double> z(n_);
    for (std::size_t k = 0; k < n_; ++k) {
        double s = b[k];
        for (std::size_t i = 0; i < k; ++i)
            s -= l_[k * n_ + i] * z[i];
        z[k] = s / l_[k * n_ + k];
    }
    return z;
}

std::vector<double> Cholesky::solve_upper(std::span<const double> z) const {
    if (z.size() != n_)
        throw std::invalid_argument("Cholesky: right-hand side of the wrong length");
    std::vector<double> x(n_);
    for (std::size_t k = n_; k-- > 0;) {
        double s = z[k];
        for (std::size_t i = k + 1; i < n_; ++i)
            s -= l_[i * n_ + k] * x[i];
        x[k] = s / l_[k * n_ + k];
    }
    return x;
}

std::vector<double> Cholesky::solve(std::span<const double> b) const {
    return solve_upper(solve_lower(b));
}

std::vector<double> Cholesky::inverse_diagonal() const {
    // Column j of L⁻¹ solves L c = e_j and is zero above j; A⁻¹ = L⁻ᵀ L⁻¹.
    std::vector<double> diag(n_, 0.0), c(n_);
    for (std::size_t j = 0; j < n_; ++j) {
        for (std::size_t k = j; k < n_; ++k) {
            double s = k == j ? 1.0 : 0.0;
            for (std::size_t i = j; i < k; ++i)
                s -= l_[k * n_ + i] * c[i];
            c[k] = s / l_[k * n_ + k];
        }
        // (A⁻¹)_jj = Σ_k (L⁻¹)_kj² over the column just computed.
        double s = 0.0;
        for (std::size_t k = j; k < n_; ++k)
            s += c[k] * c[k];
        diag[j] = s;
    }
    return diag;
}

} // namespace chiprace::stats
