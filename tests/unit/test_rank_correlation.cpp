// Rank correlations (stats/rank_correlation): ranks with ties, Spearman, SRRC and PRCC against
// cases with known answers, rows dropped for non-finite values, and singular systems.

#include "chiprace/random/normal_quantile.hpp"
#include "chiprace/random/uniform_block.hpp"
#include "chiprace/stats/cholesky.hpp"
#include "chiprace/stats/rank_correlation.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <numbers>
#include <span>
#include <vector>

using namespace chiprace;

namespace {

/// d columns of n independent standard normals, column-major, from the (seed, row) streams.
std::vector<double> normals(std::uint64_t seed, std::size_t n, std::size_t d) {
    std::vector<double> z(n * d);
    random::uniform_open01_block(seed, 0, n, random::StreamPurpose::sample_inputs, 0, d, z);
    random::normal_quantiles(z, z);
    return z;
}

std::span<const double> column(const std::vector<double>& m, std::size_t n, std::size_t k) {
    return {m.data() + k * n, n};
}

stats::RankCorrelationEstimate analyse(const std::vector<std::vector<double>>& inputs,
                                       std::vector<double> y) {
    stats::RankCorrelation rc(y.size());
    for (const auto& x : inputs)
        rc.add_input(x);
    return rc.analyse(y);
}

/// The definition, in O(n²): #less + (#equal + 1)/2 among the finite values.
std::vector<double> brute_ranks(const std::vector<double>& v) {
    std::vector<double> r(v.size(), std::nan(""));
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v[i]))
            continue;
        double less = 0, equal = 0;
        for (const double w : v) {
            if (!std::isfinite(w))
                continue;
            less += w < v[i];
            equal += w == v[i];
        }
        r[i] = less + (equal + 1) / 2;
    }
    return r;
}

/// The inverse of a small matrix by Gauss-Jordan elimination with partial pivoting: an
/// independent route to P = C⁻¹ for checking PRCC.
std::vector<double> gauss_jordan_inverse(std::vector<double> a, std::size_t n) {
    std::vector<double> inv(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        inv[i * n + i] = 1.0;
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < n; ++r)
            if (std::fabs(a[r * n + c]) > std::fabs(a[pivot * n + c]))
                pivot = r;
        for (std::size_t k = 0; k < n; ++k) {
            std::swap(a[c * n + k], a[pivot * n + k]);
            std::swap(inv[c * n + k], inv[pivot * n + k]);
        }
        const double p = a[c * n + c];
        for (std::size_t k = 0; k < n; ++k) {
            a[c * n + k] /= p;
            inv[c * n + k] /= p;
        }
        for (std::size_t r = 0; r < n; ++r) {
            if (r == c)
                continue;
            const double f = a[r * n + c];
            for (std::size_t k = 0; k < n; ++k) {
                a[r * n + k] -= f * a[c * n + k];
                inv[r * n + k] -= f * inv[c * n + k];
            }
        }
    }
    return inv;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = static_cast<double>(a.size());
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ma += a[i] / n;
        mb += b[i] / n;
    }
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

} // namespace

TEST_CASE("ranks: ties share the mean of the ranks they span, non-finite values get NaN") {
    const std::vector<double> v{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
    const auto r = stats::average_ranks(v);
    // Sorted: 1 1 2 3 3 4 5 5 5 6 9 → 1,1 share (1+2)/2; 3,3 share 4.5; 5,5,5 share 8.
    const std::vector<double> expected{4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8};
    CHECK(r == expected);

    const auto with_nan = stats::average_ranks(std::vector<double>{2, NAN, 1, INFINITY, 2});
    CHECK(with_nan[0] == 2.5);
    CHECK(std::isnan(with_nan[1]));
    CHECK(with_nan[2] == 1);
    CHECK(std::isnan(with_nan[3]));
    CHECK(with_nan[4] == 2.5);

    const auto constant = stats::average_ranks(std::vector<double>(7, 3.0));
    for (const double x : constant)
        CHECK(x == 4.0);

    // Many ties at random: the brute-force definition, value by value.
    const auto z = normals(11, 2000, 1);
    std::vector<double> rounded(z.size());
    for (std::size_t i = 0; i < z.size(); ++i)
        rounded[i] = i % 97 == 0 ? NAN : std::round(z[i] * 4);
    const auto fast = stats::average_ranks(rounded), slow = brute_ranks(rounded);
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < fast.size(); ++i)
        mismatches += !(fast[i] == slow[i] || (std::isnan(fast[i]) && std::isnan(slow[i])));
    CHECK(mismatches == 0);
}

TEST_CASE("rank correlation: Spearman of a monotone nonlinear function is exactly 1") {
    const std::size_t n = 5000;
    const auto z = normals(1, n, 2);
    const std::vector<double> x1(z.begin(), z.begin() + n), x2(z.begin() + n, z.end());
    std::vector<double> up(n), down(n);
    for (std::size_t i = 0; i < n; ++i) {
        up[i] = std::exp(3 * x1[i]) + x1[i] * x1[i] * x1[i];
        down[i] = -std::atan(x1[i]);
    }
    const auto e = analyse({x1, x2}, up);
    CHECK(e.spearman[0] == 1.0);
    CHECK(e.r_squared == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(e.srrc[0] == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(e.prcc[0] == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(std::fabs(e.spearman[1]) < 4 / std::sqrt(double(n)));
    const auto f = analyse({x1}, down);
    CHECK(f.spearman[0] == -1.0);
    CHECK(f.n_used == n);
    CHECK(f.n_dropped == 0);
}

// Y = Σ c_i X_i with independent normal X_i. The linear standardised coefficient is
// src_i = c_i σ_i / sd(Y). For a bivariate normal pair the rank correlation is
// (6/π) asin(ρ/2) (Pearson 1907), and with independent inputs R_xx → I, so SRRC_i →
// (6/π) asin(src_i/2), within 0.0181 of src_i for any src_i. Tolerances: 4 standard errors
// of a correlation from N rows, 4/sqrt(N) (the standard error is at most about 1/sqrt(N)),
// plus that 0.0181 where SRRC is compared with src itself.
TEST_CASE("rank correlation: linear model with independent normal inputs") {
    const std::size_t n = 20000, d = 4;
    const double c[d] = {3, -2, 1, 0}, sigma[d] = {1, 1, 2, 1};
    const auto z = normals(2, n, d);
    std::vector<std::vector<double>> x(d, std::vector<double>(n));
    std::vector<double> y(n, 0.0);
    double var_y = 0;
    for (std::size_t k = 0; k < d; ++k) {
        var_y += c[k] * c[k] * sigma[k] * sigma[k];
        for (std::size_t i = 0; i < n; ++i) {
            x[k][i] = sigma[k] * z[k * n + i];
            y[i] += c[k] * x[k][i];
        }
    }
    const auto e = analyse(x, y);
    const double tol = 4 / std::sqrt(double(n));
    for (std::size_t k = 0; k < d; ++k) {
        const double src = c[k] * sigma[k] / std::sqrt(var_y);
        const double rank_src = 6 / std::numbers::pi * std::asin(src / 2);
        MESSAGE("x" << k + 1 << ": src " << src << ", rank limit " << rank_src << ", SRRC "
                    << e.srrc[k] << ", Spearman " << e.spearman[k] << ", PRCC " << e.prcc[k]);
        CHECK(std::fabs(e.srrc[k] - rank_src) < tol);
        CHECK(std::fabs(e.srrc[k] - src) < tol + 0.0181);
        CHECK(std::fabs(e.spearman[k] - rank_src) < tol);
        if (c[k] != 0) {
            CHECK((e.prcc[k] > 0) == (c[k] > 0));
            CHECK((e.spearman[k] > 0) == (c[k] > 0));
            CHECK((e.srrc[k] > 0) == (c[k] > 0));
        }
    }
    // x4 does not enter Y.
    CHECK(std::fabs(e.prcc[3]) < tol);
    // The ranks of a linear function of normals are nearly linear in the inputs' ranks.
    MESSAGE("rank regression R^2 " << e.r_squared);
    CHECK(e.r_squared > 0.9); // 0.94 here: the rank transform bends the linear model a little
    CHECK(e.r_squared <= 1.0);
    // With independent inputs R_xx ≈ I, so |PRCC_i| = |β_i| / sqrt(1 − R² + β_i²) ≥ |SRRC_i|:
    // partialling out the other inputs' effects can only sharpen an input's own.
    for (std::size_t k = 0; k < 3; ++k)
        CHECK(std::fabs(e.prcc[k]) > std::fabs(e.srrc[k]));
}

// X2 = X1 + small noise carries no information on Y = X1 beyond X1: its Spearman is near 1,
// its PRCC near 0. Y gets its own small noise: with Y = X1 exactly, the rank regression of Y
// leaves no residual and the partial correlation of X2 is 0/0.
TEST_CASE("rank correlation: PRCC separates correlated inputs that Spearman does not") {
    const std::size_t n = 20000;
    const auto z = normals(3, n, 3);
    std::vector<double> x1(n), x2(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x1[i] = z[i];
        x2[i] = z[i] + 0.05 * z[n + i];
        y[i] = z[i] + 0.05 * z[2 * n + i];
    }
    const auto e = analyse({x1, x2}, y);
    MESSAGE("Spearman " << e.spearman[0] << ", " << e.spearman[1] << "; PRCC " << e.prcc[0] << ", "
                        << e.prcc[1] << "; SRRC " << e.srrc[0] << ", " << e.srrc[1]);
    CHECK(e.spearman[1] > 0.99);
    CHECK(std::fabs(e.prcc[1]) < 4 / std::sqrt(double(n)));
    CHECK(e.prcc[0] > 0.6);
    CHECK(e.srrc[0] > 0.9);
    CHECK(std::fabs(e.srrc[1]) < 0.1);
}

TEST_CASE("rank correlation: PRCC equals -P_iy / sqrt(P_ii P_yy) of the inverted matrix") {
    const std::size_t n = 3000, d = 3;
    const auto z = normals(4, n, d + 1);
    std::vector<std::vector<double>> x(d, std::vector<double>(n));
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[0][i] = z[i];
        x[1][i] = 0.6 * z[i] + 0.8 * z[n + i]; // correlated with x1
        x[2][i] = std::exp(z[2 * n + i]);
        y[i] = std::sin(x[0][i]) + x[1][i] * x[1][i] * x[1][i] - 0.3 * x[2][i] + z[3 * n + i];
    }
    const auto e = analyse(x, y);
    std::vector<std::vector<double>> ranks;
    for (const auto& v : x)
        ranks.push_back(stats::average_ranks(v));
    ranks.push_back(stats::average_ranks(y));
    const std::size_t v = d + 1;
    std::vector<double> corr(v * v);
    for (std::size_t i = 0; i < v; ++i)
        for (std::size_t j = 0; j < v; ++j)
            corr[i * v + j] = pearson(ranks[i], ranks[j]);
    const auto p = gauss_jordan_inverse(corr, v);
    std::vector<double> rxx(d * d), rxy(d);
    for (std::size_t i = 0; i < d; ++i) {
        rxy[i] = corr[i * v + d];
        for (std::size_t j = 0; j < d; ++j)
            rxx[i * d + j] = corr[i * v + j];
    }
    const auto beta = gauss_jordan_inverse(rxx, d);
    for (std::size_t k = 0; k < d; ++k) {
        const double prcc = -p[k * v + d] / std::sqrt(p[k * v + k] * p[d * v + d]);
        double srrc = 0;
        for (std::size_t j = 0; j < d; ++j)
            srrc += beta[k * d + j] * rxy[j];
        CHECK(e.prcc[k] == doctest::Approx(prcc).epsilon(1e-10));
        CHECK(e.srrc[k] == doctest::Approx(srrc).epsilon(1e-10));
        CHECK(e.spearman[k] == doctest::Approx(corr[k * v + d]).epsilon(1e-12));
    }
}

TEST_CASE("rank correlation: a constant input gets NaN, the others are unaffected") {
    const std::size_t n = 4000;
    const auto z = normals(5, n, 3);
    const std::vector<double> x1(column(z, n, 0).begin(), column(z, n, 0).end()),
        x3(column(z, n, 1).begin(), column(z, n, 1).end()), fixed(n, 8.0);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i)
        y[i] = x1[i] - 0.5 * x3[i] + 0.3 * z[2 * n + i];
    const auto with = analyse({x1, fixed, x3}, y);
    const auto without = analyse({x1, x3}, y);
    REQUIRE(with.constant_inputs == std::vector<std::size_t>{1});
    CHECK(std::isnan(with.spearman[1]));
    CHECK(std::isnan(with.srrc[1]));
    CHECK(std::isnan(with.prcc[1]));
    CHECK(with.spearman[0] == without.spearman[0]);
    CHECK(with.srrc[0] == without.srrc[0]);
    CHECK(with.prcc[2] == without.prcc[1]);
    CHECK(!with.constant_output);

    // A constant output: nothing is defined, and nothing throws.
    const auto flat = analyse({x1, x3}, std::vector<double>(n, 1.5));
    CHECK(flat.constant_output);
    for (const double v : flat.spearman)
        CHECK(std::isnan(v));
    CHECK(flat.n_used == n);
}

TEST_CASE("rank correlation: inputs with collinear ranks are a clear error") {
    const std::size_t n = 1000;
    const auto z = normals(6, n, 3);
    std::vector<double> x1(n), x2(n), x3(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x1[i] = z[i];
        x2[i] = z[n + i];
        x3[i] = std::exp(2 * z[i]); // the same ranks as x1
        y[i] = x1[i] + x2[i];
    }
    stats::RankCorrelation rc(n);
    for (const auto* x : {&x1, &x2, &x3})
        rc.add_input(*x);
    try {
        (void)rc.analyse(y);
        FAIL("no exception");
    } catch (const stats::SingularRankCorrelation& e) {
        CHECK(e.input() == 2);
        CHECK(std::string(e.what()).find("input 2") != std::string::npos);
        MESSAGE(std::string(e.what()));
    }
    // The dense solver on its own: a rank-deficient matrix, and a well-posed one.
    const std::vector<double> singular{1, 2, 2, 4};
    CHECK_THROWS_AS(stats::Cholesky(singular, 2, 1e-10), stats::SingularMatrix);
    const std::vector<double> spd{4, 2, 2, 3};
    const stats::Cholesky chol(spd, 2, 1e-10);
    const auto x = chol.solve(std::vector<double>{2, 1});
    CHECK(x[0] == doctest::Approx(0.5));
    CHECK(x[1] == doctest::Approx(0.0));
    const auto inv = chol.inverse_diagonal(); // inverse: [3 −2; −2 4] / 8
    CHECK(inv[0] == doctest::Approx(3.0 / 8));
    CHECK(inv[1] == doctest::Approx(4.0 / 8));
}

// Non-finite rows are dropped and the ranks are those of the remaining rows: the result is that
// of the data without those rows. Ties (values rounded to a grid) make dropped rows share
// values with kept ones, which the rank bookkeeping has to get right; and a complete column
// analysed afterwards must see the inputs' ranks restored.
TEST_CASE("rank correlation: non-finite rows are dropped, as if never drawn") {
    const std::size_t n = 3000, d = 3;
    const auto z = normals(7, n, d + 1);
    std::vector<std::vector<double>> x(d, std::vector<double>(n));
    std::vector<double> y(n), y_complete(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < d; ++k)
            x[k][i] = std::round(z[k * n + i] * 3) / 3;
        y_complete[i] = std::round(4 * (x[0][i] - x[1][i] + 0.5 * z[d * n + i]));
        y[i] = y_complete[i];
        if (i % 7 == 3)
            y[i] = NAN;
        if (i % 11 == 5)
            y[i] = -INFINITY;
    }
    x[2][17] = NAN; // a bad input drops its row for every output
    std::vector<std::vector<double>> x_kept(d);
    std::vector<double> y_kept, y_complete_kept;
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 17) {
            y_complete_kept.push_back(y_complete[i]);
        }
        if (!std::isfinite(y[i]) || i == 17)
            continue;
        for (std::size_t k = 0; k < d; ++k)
            x_kept[k].push_back(x[k][i]);
        y_kept.push_back(y[i]);
    }
    stats::RankCorrelation rc(n);
    for (const auto& v : x)
        rc.add_input(v);
    CHECK(rc.rows_with_bad_inputs() == 1);
    auto column_buffer = y_complete;
    const auto first = rc.analyse(column_buffer);
    auto y_copy = y;
    const auto e = rc.analyse(y_copy);
    const auto reference = analyse(x_kept, y_kept);
    CHECK(e.n_used == y_kept.size());
    CHECK(e.n_dropped == n - y_kept.size());
    for (std::size_t k = 0; k < d; ++k) {
        CHECK(e.spearman[k] == doctest::Approx(reference.spearman[k]).epsilon(1e-13));
        CHECK(e.srrc[k] == doctest::Approx(reference.srrc[k]).epsilon(1e-13));
        CHECK(e.prcc[k] == doctest::Approx(reference.prcc[k]).epsilon(1e-13));
    }
    // The column buffer now holds the output's ranks among the rows used.
    CHECK(std::isnan(y_copy[3]));
    CHECK(std::isnan(y_copy[17]));
    // The complete column again, after the dropped one: identical to the first time.
    column_buffer = y_complete;
    const auto again = rc.analyse(column_buffer);
    CHECK(again.spearman == first.spearman);
    CHECK(again.srrc == first.srrc);
    CHECK(again.prcc == first.prcc);
    CHECK(again.n_dropped == 1);
    // And so is a fresh analysis of the complete data without the bad-input row.
    std::vector<std::vector<double>> x_no17(d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < d; ++k)
            if (i != 17)
                x_no17[k].push_back(x[k][i]);
    const auto fresh = analyse(x_no17, y_complete_kept);
    for (std::size_t k = 0; k < d; ++k)
        CHECK(again.prcc[k] == doctest::Approx(fresh.prcc[k]).epsilon(1e-13));
}

// The same bookkeeping under heavy ties (values on a coarse grid) and drop rates from a few
// rows to most of them, one RankCorrelation reused across all masks in turn.
TEST_CASE("rank correlation: dropped rows under heavy ties, many masks in a row") {
    const std::size_t n = 2000, d = 3;
    const auto z = normals(8, n, d + 2);
    std::vector<std::vector<double>> x(d, std::vector<double>(n));
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < d; ++k)
            x[k][i] = std::round(z[k * n + i] * (k + 1));
        y[i] = std::round(2 * (x[0][i] + 0.5 * x[1][i] - 0.2 * x[2][i] + z[d * n + i]));
    }
    stats::RankCorrelation rc(n);
    for (const auto& v : x)
        rc.add_input(v);
    std::size_t worst_mismatch = 0;
    for (const double rate : {0.0, 0.01, 0.3, 0.0, 0.9, 0.3}) {
        std::vector<double> column_buffer = y;
        std::vector<std::vector<double>> x_kept(d);
        std::vector<double> y_kept;
        for (std::size_t i = 0; i < n; ++i) {
            // A keyed, uniform u per row, different for each rate.
            const double u = 0.5 + 0.5 * std::erf(z[(d + 1) * n + i] / std::numbers::sqrt2);
            if (std::fmod(u + rate * 7.1, 1.0) < rate) {
                column_buffer[i] = NAN;
                continue;
            }
            for (std::size_t k = 0; k < d; ++k)
                x_kept[k].push_back(x[k][i]);
            y_kept.push_back(y[i]);
        }
        const auto e = rc.analyse(column_buffer);
        const auto reference = analyse(x_kept, y_kept);
        CHECK(e.n_used == y_kept.size());
        for (std::size_t k = 0; k < d; ++k) {
            worst_mismatch += e.spearman[k] != reference.spearman[k];
            CHECK(e.prcc[k] == doctest::Approx(reference.prcc[k]).epsilon(1e-13));
            CHECK(e.srrc[k] == doctest::Approx(reference.srrc[k]).epsilon(1e-13));
        }
    }
    // Same ranks, same kept rows in the same order: the same sums, bit for bit.
    CHECK(worst_mismatch == 0);
}

TEST_CASE("rank correlation: too few rows for the regression") {
    const std::vector<double> x1{1, 2, 3}, x2{3, 1, 2}, y{1, 3, 2};
    const auto e = analyse({x1, x2}, y);
    CHECK(e.too_few_rows);
    CHECK(!std::isnan(e.spearman[0]));
    CHECK(std::isnan(e.srrc[0]));
    const auto none = analyse({x1, x2}, std::vector<double>{NAN, 1, NAN});
    CHECK(none.n_used == 1);
    CHECK(std::isnan(none.spearman[0]));
}

TEST_CASE("rank correlation: zero-variance outputs and inputs give NaN with their flags") {
    const std::size_t n = 200;
    const auto z = normals(9, n, 2);
    const std::vector<double> x1(column(z, n, 0).begin(), column(z, n, 0).end()),
        x2(column(z, n, 1).begin(), column(z, n, 1).end()), fixed(n, 0.1);
    // A policy contrast that is zero in some year: the difference of two equal columns.
    std::vector<double> contrast(n);
    for (std::size_t i = 0; i < n; ++i)
        contrast[i] = (x1[i] + x2[i]) - (x1[i] + x2[i]);
    const auto zero = analyse({x1, fixed, x2}, contrast);
    CHECK(zero.constant_output);
    CHECK(zero.n_used == n);
    for (const auto* v : {&zero.spearman, &zero.srrc, &zero.prcc})
        for (const double x : *v)
            CHECK(std::isnan(x));
    CHECK(std::isnan(zero.r_squared));

    // Every input constant, the output varying: no coefficient, no throw.
    const auto flat_inputs = analyse({fixed, fixed}, x1);
    CHECK(flat_inputs.constant_inputs == std::vector<std::size_t>{0, 1});
    CHECK(!flat_inputs.constant_output);
    CHECK(std::isnan(flat_inputs.spearman[0]));
    CHECK(std::isnan(flat_inputs.prcc[1]));

    // A single row (a single base point's worth of rows, or one finite row).
    const auto one =
        analyse({std::vector<double>{0.3}, std::vector<double>{0.7}}, std::vector<double>{2.0});
    CHECK(one.n_used == 1);
    CHECK(!one.constant_output);
    CHECK(std::isnan(one.spearman[0]));
    CHECK(std::isnan(one.srrc[1]));
}
