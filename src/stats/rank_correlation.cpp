#include "chiprace/stats/rank_correlation.hpp"

#include "chiprace/stats/cholesky.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace chiprace::stats {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

template <class Index>
void rank_with(std::span<double> v) {
    std::vector<Index> order;
    order.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (std::isfinite(v[i]))
            order.push_back(static_cast<Index>(i));
        else
            v[i] = nan;
    }
    std::sort(order.begin(), order.end(), [&](Index a, Index b) { return v[a] < v[b]; });
    // Ranks overwrite values as groups close, so each group is compared with its first value,
    // kept aside, never with an entry already overwritten.
    std::size_t first = 0;
    while (first < order.size()) {
        const double value = v[order[first]];
        std::size_t end = first + 1;
        while (end < order.size() && v[order[end]] == value)
            ++end;
        // Positions first+1 … end (1-based) share their mean.
        const double rank = 0.5 * static_cast<double>(first + 1 + end);
        for (std::size_t k = first; k < end; ++k)
            v[order[k]] = rank;
        first = end;
    }
}

/// Sorted union of two sorted row lists.
std::vector<std::size_t> merged(const std::vector<std::size_t>& a,
                                const std::vector<std::size_t>& b) {
    std::vector<std::size_t> out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

/// Σ a_m b_m with four partial sums: independent chains the CPU can overlap, and a fixed
/// order, so the result does not depend on the build.
double dot(const double* a, const double* b, std::size_t n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t m = 0;
    for (; m + 4 <= n; m += 4) {
        s0 += a[m] * b[m];
        s1 += a[m + 1] * b[m + 1];
        s2 += a[m + 2] * b[m + 2];
        s3 += a[m + 3] * b[m + 3];
    }
    for (; m < n; ++m)
        s0 += a[m] * b[m];
    return (s0 + s1) + (s2 + s3);
}

/// Σ (a_m − centre) b_m, in the same order as dot.
double centred_dot(const double* a, double centre, const double* b, std::size_t n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t m = 0;
    for (; m + 4 <= n; m += 4) {
        s0 += (a[m] - centre) * b[m];
        s1 += (a[m + 1] - centre) * b[m + 1];
        s2 += (a[m + 2] - centre) * b[m + 2];
        s3 += (a[m + 3] - centre) * b[m + 3];
    }
    for (; m < n; ++m)
        s0 += (a[m] - centre) * b[m];
    return (s0 + s1) + (s2 + s3);
}

} // namespace

void rank_in_place(std::span<double> values) {
    if (values.size() <= std::numeric_limits<std::uint32_t>::max())
        rank_with<std::uint32_t>(values);
    else
        rank_with<std::uint64_t>(values);
}

std::vector<double> average_ranks(std::span<const double> values) {
    std::vector<double> r(values.begin(), values.end());
    rank_in_place(r);
    return r;
}

void RankCorrelation::add_input(std::span<const double> values) {
    if (values.size() != rows_)
        throw std::invalid_argument("RankCorrelation: an input column of the wrong length");
    std::vector<double> r(values.begin(), values.end());
    std::vector<std::size_t> bad;
    for (std::size_t i = 0; i < rows_; ++i)
        if (!std::isfinite(r[i]))
            bad.push_back(i);
    rank_in_place(r);
    ranks_.push_back(std::move(r));
    // Every input is kept ranked among the rows where all inputs are finite, the rows any
    // output can use; a new bad row re-ranks the inputs added before it.
    const std::size_t first = bad.empty() ? ranks_.size() - 1 : 0;
    if (!bad.empty())
        bad_rows_ = merged(bad_rows_, bad);
    if (!bad_rows_.empty()) {
        for (std::size_t k = first; k < ranks_.size(); ++k) {
            to_kept_ranks(k, bad_rows_);
            for (const auto row : bad_rows_)
                ranks_[k][row] = nan;
        }
    }
    gram_valid_ = false;
}

// Input k's ranks r count the rows without a bad input; dropped holds those rows (their ranks
// are NaN) and those to drop for one output. A kept row with value u has, among the kept
// rows, the rank s = r − L − E/2, with L the dropped values below u and E those equal to u
// (average ranks of a tie group move by half its dropped members).
void RankCorrelation::to_kept_ranks(std::size_t k, std::span<const std::size_t> dropped) {
    auto& r = ranks_[k];
    scratch_.clear();
    for (const auto row : dropped)
        if (!std::isnan(r[row]))
            scratch_.push_back(r[row]);
    std::sort(scratch_.begin(), scratch_.end());
    std::size_t next = 0;
    for (std::size_t row = 0; row < rows_; ++row) {
        if (next < dropped.size() && dropped[next] == row) {
            ++next;
            continue;
        }
        const auto [lo, hi] = std::equal_range(scratch_.begin(), scratch_.end(), r[row]);
        r[row] -= static_cast<double>(lo - scratch_.begin()) + 0.5 * static_cast<double>(hi - lo);
    }
}

// The inverse of to_kept_ranks, from the dropped rows' ranks (untouched) alone. For a dropped
// value w let M = (kept values below w) + (kept values equal to w)/2, which its rank gives:
// M = r_w − (dropped values below w) − (c + 1)/2, with c the dropped values equal to w (w among
// them). A kept value u with
// kept rank s is above w iff s ≥ M + 1 and equal to w iff s = M + 1/2 (all half-integers,
// exact in double), which gives L and E of to_kept_ranks, and r = s + L + E/2.
void RankCorrelation::to_all_ranks(std::size_t k, std::span<const std::size_t> dropped) {
    auto& r = ranks_[k];
    scratch_.clear();
    for (const auto row : dropped)
        if (!std::isnan(r[row]))
            scratch_.push_back(r[row]);
    std::sort(scratch_.begin(), scratch_.end());
    for (std::size_t a = 0; a < scratch_.size();) {
        std::size_t b = a + 1;
        while (b < scratch_.size() && scratch_[b] == scratch_[a])
            ++b;
        const double m =
            scratch_[a] - static_cast<double>(a) - 0.5 * static_cast<double>(b - a + 1);
        std::fill(scratch_.begin() + static_cast<std::ptrdiff_t>(a),
                  scratch_.begin() + static_cast<std::ptrdiff_t>(b), m);
        a = b;
    }
    std::size_t next = 0;
    for (std::size_t row = 0; row < rows_; ++row) {
        if (next < dropped.size() && dropped[next] == row) {
            ++next;
            continue;
        }
        const double s = r[row];
        const auto below = std::upper_bound(scratch_.begin(), scratch_.end(), s - 1.0);
        const auto tied = std::upper_bound(below, scratch_.end(), s - 0.5);
        r[row] = s + static_cast<double>(below - scratch_.begin()) +
                 0.5 * static_cast<double>(tied - below);
    }
}

void RankCorrelation::gram(std::span<const double> t, double centre, bool inputs_too,
                           std::vector<double>& g) {
    const std::size_t d = ranks_.size(), v = d + 1;
    // Without rows of bad inputs every input rank is finite, so the output's row is one dot
    // product per input over whole columns, a dropped row contributing a zero output term:
    // the work done for every column. Computed the same way whether or not the inputs' block
    // is reused, so a column's result does not depend on which columns came before it.
    const bool whole_columns = bad_rows_.empty();
    if (whole_columns) {
        y_centred_.resize(rows_);
        for (std::size_t row = 0; row < rows_; ++row)
            y_centred_[row] = std::isnan(t[row]) ? 0.0 : t[row] - centre;
        for (std::size_t k = 0; k < d; ++k)
            g[d * v + k] += centred_dot(ranks_[k].data(), centre, y_centred_.data(), rows_);
        g[d * v + d] += dot(y_centred_.data(), y_centred_.data(), rows_);
        if (!inputs_too)
            return;
    }
    constexpr std::size_t block = 256;
    // Kept rows of a block, centred, variable-major: contiguous rows for the dot products.
    std::vector<double> buf(v * block);
    std::size_t row = 0;
    while (row < rows_) {
        std::size_t m = 0;
        for (; row < rows_ && m < block; ++row) {
            if (std::isnan(t[row]))
                continue;
            for (std::size_t k = 0; k < d; ++k)
                buf[k * block + m] = ranks_[k][row] - centre;
            buf[d * block + m] = t[row] - centre;
            ++m;
        }
        const double* y = buf.data() + d * block;
        for (std::size_t j = 0; j < v; ++j) {
            const double* a = buf.data() + j * block;
            if (!whole_columns)
                g[d * v + j] += dot(y, a, m);
            if (inputs_too && j < d)
                for (std::size_t k = 0; k <= j; ++k)
                    g[j * v + k] += dot(a, buf.data() + k * block, m);
        }
    }
}

RankCorrelationEstimate RankCorrelation::analyse(std::span<double> output) {
    if (output.size() != rows_)
        throw std::invalid_argument("RankCorrelation: an output column of the wrong length");
    const std::size_t d = ranks_.size(), v = d + 1;
    RankCorrelationEstimate e;
    e.spearman.assign(d, nan);
    e.srrc.assign(d, nan);
    e.prcc.assign(d, nan);

    std::vector<std::size_t> bad_output;
    for (std::size_t i = 0; i < rows_; ++i)
        if (!std::isfinite(output[i]))
            bad_output.push_back(i);
    const auto dropped = bad_output.empty() ? bad_rows_ : merged(bad_rows_, bad_output);
    for (const auto row : bad_rows_)
        output[row] = nan;
    rank_in_place(output);
    e.n_dropped = dropped.size();
    e.n_used = rows_ - dropped.size();
    if (e.n_used < 2)
        return e;

    // Rows dropped beyond those with a bad input change every input's ranks for this column.
    const bool reranked = dropped.size() > bad_rows_.size();
    const bool reuse = gram_valid_ && gram_dropped_ == dropped;
    std::vector<double> g(v * v, 0.0);
    if (reuse)
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t k = 0; k <= j; ++k)
                g[j * v + k] = gram_inputs_[j * d + k];
    {
        // Back to all-row ranks on every exit, so the next column starts from them.
        struct Restore {
            RankCorrelation& self;
            std::span<const std::size_t> rows;
            std::size_t done = 0;
            ~Restore() {
                for (std::size_t k = 0; k < done; ++k)
                    self.to_all_ranks(k, rows);
            }
        } restore{*this, dropped};
        if (reranked)
            for (; restore.done < d; ++restore.done)
                to_kept_ranks(restore.done, dropped);
        // The mean rank of n rows is (n + 1)/2 whatever the ties.
        gram(output, 0.5 * static_cast<double>(e.n_used + 1), !reuse, g);
    }
    if (!reuse) {
        gram_inputs_.assign(d * d, 0.0);
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t k = 0; k <= j; ++k)
                gram_inputs_[j * d + k] = g[j * v + k];
        gram_dropped_ = dropped;
        gram_valid_ = true;
    }

    const double gyy = g[d * v + d];
    if (!(gyy > 0.0)) {
        e.constant_output = true;
        return e;
    }
    std::vector<std::size_t> active;
    for (std::size_t k = 0; k < d; ++k) {
        if (g[k * v + k] > 0.0) {
            active.push_back(k);
            e.spearman[k] = g[d * v + k] / std::sqrt(g[k * v + k] * gyy);
        } else {
            e.constant_inputs.push_back(k);
        }
    }
    const std::size_t a = active.size();
    if (a == 0)
        return e;
    if (e.n_used < a + 2) {
        e.too_few_rows = true;
        return e;
    }
    std::vector<double> r_xx(a * a), r_xy(a);
    for (std::size_t i = 0; i < a; ++i) {
        const std::size_t p = active[i];
        r_xy[i] = e.spearman[p];
        for (std::size_t j = 0; j <= i; ++j) {
            const std::size_t q = active[j];
            const double c = g[p * v + q] / std::sqrt(g[p * v + p] * g[q * v + q]);
            r_xx[i * a + j] = c;
            r_xx[j * a + i] = c;
        }
    }
    try {
        const Cholesky chol(r_xx, a, singular_tolerance);
        const auto z = chol.solve_lower(r_xy);
        const auto beta = chol.solve_upper(z);
        const auto inv_diag = chol.inverse_diagonal();
        double explained = 0.0;
        for (const double zi : z)
            explained += zi * zi;
        e.r_squared = std::min(1.0, explained);
        const double unexplained = std::max(0.0, 1.0 - explained); // 1 − R²
        for (std::size_t i = 0; i < a; ++i) {
            e.srrc[active[i]] = beta[i];
            e.prcc[active[i]] = beta[i] / std::sqrt(unexplained * inv_diag[i] + beta[i] * beta[i]);
        }
    } catch (const SingularMatrix& s) {
        const std::size_t input = active[s.index()];
        std::string msg = "the inputs' rank correlation matrix is singular: the ranks of input ";
        msg += std::to_string(input);
        msg += " are a linear combination of the other inputs' ranks (less than ";
        char tolerance[32];
        std::snprintf(tolerance, sizeof tolerance, "%g", singular_tolerance);
        msg += tolerance;
        msg += " of their variance is not); SRRC and PRCC are not defined";
        throw SingularRankCorrelation(input, s.residual(), msg);
    }
    return e;
}

} // namespace chiprace::stats
