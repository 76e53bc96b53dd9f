#include "chiprace/discovery/prim.hpp"

#include "chiprace/discovery/distributed_quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace chiprace::discovery {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

double share(std::uint64_t part, std::uint64_t whole) {
    return static_cast<double>(part) / static_cast<double>(whole);
}

/// EMA's LENIENT1 objective: the change in the mean of the flag per row removed (peeling) or
/// added (pasting), evaluated in the same double operations so that ties break the same way.
double lenient1(std::uint64_t cases_old, std::uint64_t rows_old, std::uint64_t cases_new,
                std::uint64_t rows_new) {
    const double mean_old = share(cases_old, rows_old);
    const double mean_new = rows_new > 0 ? share(cases_new, rows_new) : 0.0;
    if (mean_old == mean_new)
        return 0.0;
    if (rows_old > rows_new)
        return (mean_new - mean_old) / static_cast<double>(rows_old - rows_new);
    if (rows_old < rows_new)
        return (mean_new - mean_old) / static_cast<double>(rows_new - rows_old);
    throw std::logic_error("prim: the same rows with a different mean");
}

std::size_t restricted_count(const BoxLimits& limits, const BoxLimits& initial) {
    std::size_t n = 0;
    for (std::size_t j = 0; j < limits.lower.size(); ++j)
        n += limits.lower[j] != initial.lower[j] || limits.upper[j] != initial.upper[j];
    return n;
}

/// Keeps the best candidate as EMA's stable descending sort on (objective, unrestricted
/// inputs) does: a later candidate wins only when strictly better.
struct Best {
    bool found = false;
    double objective = 0.0;
    std::size_t unrestricted = 0;
    std::size_t candidate = 0;

    void offer(double objective_, std::size_t unrestricted_, std::size_t candidate_) {
        if (!found || objective_ > objective ||
            (objective_ == objective && unrestricted_ > unrestricted)) {
            found = true;
            objective = objective_;
            unrestricted = unrestricted_;
            candidate = candidate_;
        }
    }
};

class Run {
public:
    Run(const PrimRows& data, const PrimSettings& settings, Reduction& reduction)
        : data_(data), settings_(settings), reduction_(reduction), d_(data.columns.size()),
          local_rows_(data.is_case.size()) {}

    PrimTrajectory operator()() {
        totals();
        initial_box();
        box_ = t_.initial;
        rows_ = t_.rows;
        cases_ = t_.cases;
        record();
        order_.resize(d_);
        // Sorting is most of the set-up; inputs are independent, and each order is the same
        // whichever thread makes it.
#pragma omp parallel for schedule(dynamic)
        for (std::size_t j = 0; j < d_; ++j)
            order_[j] = sorted_rows(data_.columns[j]);
        in_box_.assign(local_rows_, 1);
        while (peel())
            ++t_.peels;
        order_.clear();
        order_.shrink_to_fit();
        in_box_.clear();
        in_box_.shrink_to_fit();
        while (paste())
            ++t_.pastes;
        return std::move(t_);
    }

private:
    void totals() {
        std::uint64_t local_cases = 0;
        for (const auto c : data_.is_case)
            local_cases += c != 0;
        std::vector<std::uint64_t> sums{local_rows_, local_cases};
        reduction_.sum(sums);
        t_.rows = sums[0];
        t_.cases = sums[1];
        if (t_.rows == 0)
            throw std::invalid_argument("prim: no rows");
        if (t_.cases == 0)
            throw std::invalid_argument("prim: no row is a case of interest");
    }

    void initial_box() {
        std::vector<double> ends(2 * d_, infinity);
        for (std::size_t j = 0; j < d_; ++j)
            for (const double x : data_.columns[j]) {
                ends[2 * j] = std::min(ends[2 * j], x);
                ends[2 * j + 1] = std::min(ends[2 * j + 1], -x);
            }
        reduction_.min(ends);
        t_.initial.lower.resize(d_);
        t_.initial.upper.resize(d_);
        for (std::size_t j = 0; j < d_; ++j) {
            t_.initial.lower[j] = ends[2 * j];
            t_.initial.upper[j] = -ends[2 * j + 1];
        }
    }

    void record() {
        PrimStep s;
        s.limits = box_;
        s.rows = rows_;
        s.cases = cases_;
        s.coverage = share(cases_, t_.cases);
        s.density = share(cases_, rows_);
        s.mean = s.density;
        s.mass = share(rows_, t_.rows);
        s.restricted = restricted_count(box_, t_.initial);
        t_.steps.push_back(std::move(s));
    }

    /// One peel: candidates 2j (upper limit of input j) and 2j + 1 (lower), in EMA's order.
    bool peel() {
        std::vector<SortedRows> sets(2 * d_);
        std::vector<double> quantile(2 * d_);
        const std::vector<std::uint64_t> size(2 * d_, rows_);
        for (std::size_t j = 0; j < d_; ++j) {
            sets[2 * j] = sets[2 * j + 1] = SortedRows{data_.columns[j], order_[j]};
            quantile[2 * j] = 1 - settings_.peel_alpha;
            quantile[2 * j + 1] = settings_.peel_alpha;
        }
        const auto limit = ema_quantile(sets, quantile, size, reduction_);

        std::vector<std::uint64_t> removed(4 * d_, 0); // rows, cases per candidate
        for (std::size_t c = 0; c < 2 * d_; ++c) {
            const auto& set = sets[c];
            const double v = limit[c];
            const bool upper = c % 2 == 0;
            std::span<const std::uint32_t> out;
            if (upper) {
                const auto it = std::partition_point(set.rows.begin(), set.rows.end(),
                                                     [&](auto r) { return set.column[r] <= v; });
                out = {it, set.rows.end()};
            } else {
                const auto it = std::partition_point(set.rows.begin(), set.rows.end(),
                                                     [&](auto r) { return set.column[r] < v; });
                out = {set.rows.begin(), it};
            }
            removed[2 * c] = out.size();
            for (const auto r : out)
                removed[2 * c + 1] += data_.is_case[r] != 0;
        }
        reduction_.sum(removed);

        Best best;
        for (std::size_t c = 0; c < 2 * d_; ++c) {
            auto candidate = box_;
            (c % 2 == 0 ? candidate.upper : candidate.lower)[c / 2] = limit[c];
            const double objective =
                lenient1(cases_, rows_, cases_ - removed[2 * c + 1], rows_ - removed[2 * c]);
            best.offer(objective, d_ - restricted_count(candidate, t_.initial), c);
        }
        const std::size_t c = best.candidate;
        const std::uint64_t rows_new = rows_ - removed[2 * c];
        const double mass_new = share(rows_new, t_.rows), mass_old = share(rows_, t_.rows);
        if (!(mass_new >= settings_.mass_min && mass_new < mass_old && best.objective > 0))
            return false;

        const std::size_t j = c / 2;
        const double v = limit[c];
        (c % 2 == 0 ? box_.upper : box_.lower)[j] = v;
        rows_ = rows_new;
        cases_ -= removed[2 * c + 1];
        // The rows peeled off are one end of input j's order: mark them, then drop them from
        // every other order through the flags (a byte per row, far cheaper to look up at
        // random than the column of input j).
        auto& peeled = order_[j];
        const auto column = data_.columns[j];
        const bool upper = c % 2 == 0;
        const auto cut = std::partition_point(peeled.begin(), peeled.end(), [&](std::uint32_t r) {
            return upper ? column[r] <= v : column[r] < v;
        });
        if (upper) {
            for (auto it = cut; it != peeled.end(); ++it)
                in_box_[*it] = 0;
            peeled.erase(cut, peeled.end());
        } else {
            for (auto it = peeled.begin(); it != cut; ++it)
                in_box_[*it] = 0;
            peeled.erase(peeled.begin(), cut);
        }
#pragma omp parallel for schedule(dynamic)
        for (std::size_t k = 0; k < d_; ++k) {
            if (k == j)
                continue;
            auto& o = order_[k];
            o.erase(
                std::remove_if(o.begin(), o.end(), [&](std::uint32_t r) { return !in_box_[r]; }),
                o.end());
        }
        record();
        return true;
    }

    /// One paste: candidates 2i (lower limit of restricted input i) and 2i + 1 (upper).
    bool paste() {
        const auto restricted = restricted_inputs(box_, t_.initial);
        const std::size_t m = restricted.size();
        if (m == 0)
            return false;
        // Each candidate's data, as EMA's: rows inside the box on every other restricted input
        // and between the initial limit and the box's on this one (the box's limit included).
        std::vector<std::vector<std::uint32_t>> lists(2 * m);
        for (std::uint32_t r = 0; r < local_rows_; ++r) {
            std::size_t violations = 0, which = 0;
            for (std::size_t i = 0; i < m && violations < 2; ++i) {
                const std::size_t u = restricted[i];
                const double x = data_.columns[u][r];
                if (x < box_.lower[u]) {
                    ++violations;
                    which = 2 * i;
                } else if (x > box_.upper[u]) {
                    ++violations;
                    which = 2 * i + 1;
                }
            }
            if (violations == 1) {
                lists[which].push_back(r);
            } else if (violations == 0) {
                for (std::size_t i = 0; i < m; ++i) {
                    const std::size_t u = restricted[i];
                    const double x = data_.columns[u][r];
                    if (x == box_.lower[u])
                        lists[2 * i].push_back(r);
                    if (x == box_.upper[u])
                        lists[2 * i + 1].push_back(r);
                }
            }
        }
        std::vector<SortedRows> sets(2 * m);
        std::vector<double> quantile(2 * m);
        std::vector<std::uint64_t> size(2 * m);
        for (std::size_t c = 0; c < 2 * m; ++c) {
            const auto column = data_.columns[restricted[c / 2]];
            std::sort(lists[c].begin(), lists[c].end(), [&](std::uint32_t a, std::uint32_t b) {
                return column[a] < column[b] || (column[a] == column[b] && a < b);
            });
            sets[c] = SortedRows{column, lists[c]};
            quantile[c] = c % 2 == 0 ? 1 - settings_.paste_alpha : settings_.paste_alpha;
            size[c] = lists[c].size();
        }
        reduction_.sum(size);
        auto limit = ema_quantile(sets, quantile, size, reduction_);

        std::vector<std::uint64_t> added(4 * m, 0);
        for (std::size_t c = 0; c < 2 * m; ++c) {
            const std::size_t u = restricted[c / 2];
            if (size[c] == 0)
                limit[c] = c % 2 == 0 ? t_.initial.lower[u] : t_.initial.upper[u];
            const auto& set = sets[c];
            const double v = limit[c];
            const auto first_at_least = [&](double bound) {
                return std::partition_point(set.rows.begin(), set.rows.end(),
                                            [&](auto r) { return set.column[r] < bound; });
            };
            const auto first_above = [&](double bound) {
                return std::partition_point(set.rows.begin(), set.rows.end(),
                                            [&](auto r) { return set.column[r] <= bound; });
            };
            const std::span<const std::uint32_t> in =
                c % 2 == 0
                    ? std::span<const std::uint32_t>(first_at_least(v),
                                                     first_at_least(box_.lower[u]))
                    : std::span<const std::uint32_t>(first_above(box_.upper[u]), first_above(v));
            added[2 * c] = in.size();
            for (const auto r : in)
                added[2 * c + 1] += data_.is_case[r] != 0;
        }
        reduction_.sum(added);

        Best best;
        for (std::size_t c = 0; c < 2 * m; ++c) {
            auto candidate = box_;
            (c % 2 == 0 ? candidate.lower : candidate.upper)[restricted[c / 2]] = limit[c];
            const double objective =
                lenient1(cases_, rows_, cases_ + added[2 * c + 1], rows_ + added[2 * c]);
            best.offer(objective, d_ - restricted_count(candidate, t_.initial), c);
        }
        const std::size_t c = best.candidate;
        const std::uint64_t rows_new = rows_ + added[2 * c], cases_new = cases_ + added[2 * c + 1];
        const double mass_new = share(rows_new, t_.rows), mass_old = share(rows_, t_.rows);
        const double mean_new = share(cases_new, rows_new), mean_old = share(cases_, rows_);
        if (!(mass_new >= settings_.mass_min && mass_new > mass_old && best.objective > 0 &&
              mean_new > mean_old))
            return false;
        (c % 2 == 0 ? box_.lower : box_.upper)[restricted[c / 2]] = limit[c];
        rows_ = rows_new;
        cases_ = cases_new;
        record();
        return true;
    }

    const PrimRows& data_;
    const PrimSettings& settings_;
    Reduction& reduction_;
    const std::size_t d_;
    const std::uint64_t local_rows_;
    PrimTrajectory t_;
    BoxLimits box_;
    std::uint64_t rows_ = 0, cases_ = 0;
    std::vector<std::vector<std::uint32_t>> order_; // per input: the in-box rows, sorted
    std::vector<std::uint8_t> in_box_;              // per row, while peeling
};

} // namespace

std::vector<std::size_t> restricted_inputs(const BoxLimits& limits, const BoxLimits& initial) {
    std::vector<std::size_t> r;
    for (std::size_t j = 0; j < limits.lower.size(); ++j)
        if (limits.lower[j] != initial.lower[j] || limits.upper[j] != initial.upper[j])
            r.push_back(j);
    return r;
}

PrimTrajectory prim(const PrimRows& data, const PrimSettings& settings, Reduction& reduction) {
    const auto in_unit = [](double a) { return a > 0.0 && a < 1.0; };
    if (!in_unit(settings.peel_alpha) || !in_unit(settings.paste_alpha))
        throw std::invalid_argument("prim: peel_alpha and paste_alpha must be in (0, 1)");
    if (!(settings.mass_min > 0.0 && settings.mass_min <= 1.0))
        throw std::invalid_argument("prim: mass_min must be in (0, 1]");
    for (const auto& c : data.columns)
        if (c.size() != data.is_case.size())
            throw std::invalid_argument("prim: columns of different lengths");
    if (data.is_case.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("prim: more than 2^32 - 1 rows on one rank");
    return Run(data, settings, reduction)();
}

std::size_t choose_step(const PrimTrajectory& t, double threshold) {
    std::size_t best = t.steps.size();
    for (std::size_t i = 0; i < t.steps.size(); ++i)
        if (t.steps[i].density >= threshold &&
            (best == t.steps.size() || t.steps[i].coverage > t.steps[best].coverage))
            best = i;
    if (best != t.steps.size())
        return best;
    best = 0;
    for (std::size_t i = 1; i < t.steps.size(); ++i)
        if (t.steps[i].density > t.steps[best].density)
            best = i;
    return best;
}

} // namespace chiprace::discovery
