#include "chiprace/discovery/distributed_quantile.hpp"

#include "chiprace/discovery/order_key.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace chiprace::discovery {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Values of the set with order_key(value) <= key.
std::uint64_t count_at_most(const SortedRows& set, std::uint64_t key) {
    const auto end = std::partition_point(set.rows.begin(), set.rows.end(), [&](std::uint32_t r) {
        return order_key(set.column[r]) <= key;
    });
    return static_cast<std::uint64_t>(end - set.rows.begin());
}

/// The largest value < v (below) or the smallest value > v (above) over all ranks; NaN for none.
std::vector<double> neighbours(std::span<const SortedRows> sets, std::span<const double> v,
                               const std::vector<bool>& below, Reduction& reduction) {
    // One min reduction for both kinds: the largest value below is minus the smallest of the
    // negated values.
    std::vector<double> local(sets.size(), infinity);
    for (std::size_t s = 0; s < sets.size(); ++s) {
        if (std::isnan(v[s]))
            continue;
        const auto& set = sets[s];
        const auto less = [&](std::uint32_t r) { return set.column[r] < v[s]; };
        const auto at_most = [&](std::uint32_t r) { return set.column[r] <= v[s]; };
        if (below[s]) {
            const auto it = std::partition_point(set.rows.begin(), set.rows.end(), less);
            if (it != set.rows.begin())
                local[s] = -set.column[*(it - 1)];
        } else {
            const auto it = std::partition_point(set.rows.begin(), set.rows.end(), at_most);
            if (it != set.rows.end())
                local[s] = set.column[*it];
        }
    }
    reduction.min(local);
    for (std::size_t s = 0; s < sets.size(); ++s) {
        if (local[s] == infinity)
            local[s] = nan;
        else if (below[s])
            local[s] = -local[s];
    }
    return local;
}

} // namespace

std::vector<std::uint32_t> sorted_rows(std::span<const double> column) {
    if (column.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("sorted_rows: more than 2^32 - 1 rows on one rank");
    // A least-significant-digit radix sort of (key, row) pairs, a byte per pass: linear in the
    // rows and sequential in memory, where a comparison sort that looks values up by row misses
    // the cache at every comparison. Passes are stable and start in row order, so ties stay in
    // row order; a byte that all keys share (the exponent of values in one range) is skipped.
    struct Entry {
        std::uint64_t key;
        std::uint32_t row;
    };
    const std::size_t n = column.size();
    std::vector<Entry> a(n), b(n);
    for (std::size_t r = 0; r < n; ++r)
        a[r] = Entry{order_key(column[r]), static_cast<std::uint32_t>(r)};
    for (unsigned shift = 0; shift < 64; shift += 8) {
        std::array<std::size_t, 257> start{};
        for (const auto& e : a)
            ++start[((e.key >> shift) & 0xff) + 1];
        if (std::find(start.begin() + 1, start.end(), n) != start.end())
            continue;
        for (std::size_t i = 1; i < start.size(); ++i)
            start[i] += start[i - 1];
        for (const auto& e : a)
            b[start[(e.key >> shift) & 0xff]++] = e;
        a.swap(b);
    }
    std::vector<std::uint32_t> rows(n);
    for (std::size_t i = 0; i < n; ++i)
        rows[i] = a[i].row;
    return rows;
}

std::vector<double> kth_smallest(std::span<const SortedRows> sets, std::span<const std::uint64_t> k,
                                 std::span<const std::uint64_t> size, Reduction& reduction) {
    const std::size_t n = sets.size();
    // The bisection brackets: the sets' global minimum and maximum, in one reduction.
    std::vector<double> ends(2 * n, infinity);
    for (std::size_t s = 0; s < n; ++s)
        if (!sets[s].rows.empty()) {
            ends[2 * s] = sets[s].column[sets[s].rows.front()];
            ends[2 * s + 1] = -sets[s].column[sets[s].rows.back()];
        }
    reduction.min(ends);
    std::vector<std::uint64_t> lo(n, 0), hi(n, 0);
    std::vector<bool> active(n, false);
    for (std::size_t s = 0; s < n; ++s)
        if (k[s] < size[s]) {
            lo[s] = order_key(ends[2 * s]);
            hi[s] = order_key(-ends[2 * s + 1]);
            active[s] = lo[s] < hi[s];
        }
    // Invariant: the answer's key is in [lo, hi]; the smallest key with count >= k + 1 is the
    // key of the k-th smallest value itself.
    std::vector<std::uint64_t> mid(n), counts(n);
    while (std::find(active.begin(), active.end(), true) != active.end()) {
        for (std::size_t s = 0; s < n; ++s) {
            counts[s] = 0;
            if (!active[s])
                continue;
            mid[s] = lo[s] + (hi[s] - lo[s]) / 2;
            counts[s] = count_at_most(sets[s], mid[s]);
        }
        reduction.sum(counts);
        for (std::size_t s = 0; s < n; ++s) {
            if (!active[s])
                continue;
            if (counts[s] >= k[s] + 1)
                hi[s] = mid[s];
            else
                lo[s] = mid[s] + 1;
            active[s] = lo[s] < hi[s];
        }
    }
    std::vector<double> value(n, nan);
    for (std::size_t s = 0; s < n; ++s)
        if (k[s] < size[s])
            value[s] = from_order_key(lo[s]);
    return value;
}

std::vector<double> ema_quantile(std::span<const SortedRows> sets, std::span<const double> quantile,
                                 std::span<const std::uint64_t> size, Reduction& reduction) {
    const std::size_t n = sets.size();
    std::vector<std::uint64_t> k(n, 0);
    std::vector<bool> upper(n, false);
    for (std::size_t s = 0; s < n; ++s) {
        if (!(quantile[s] > 0.0 && quantile[s] < 1.0))
            throw std::invalid_argument("ema_quantile: the quantile must be in (0, 1)");
        if (size[s] == 0)
            continue;
        // As EMA computes it: (len - 1) * q in double, then floor or ceil.
        const double i = static_cast<double>(size[s] - 1) * quantile[s];
        upper[s] = quantile[s] > 0.5;
        k[s] = static_cast<std::uint64_t>(upper[s] ? std::ceil(i) : std::floor(i));
    }
    const auto v = kth_smallest(sets, k, size, reduction);
    // Above the median EMA widens downwards from s[ceil(i)], below it upwards from s[floor(i)].
    const auto other = neighbours(sets, v, upper, reduction);
    std::vector<double> q(n, nan);
    for (std::size_t s = 0; s < n; ++s) {
        if (std::isnan(v[s]))
            continue;
        // (a + b) / 2 as NumPy evaluates it; a lone value gives (v + v) / 2 = v.
        const double neighbour = std::isnan(other[s]) ? v[s] : other[s];
        q[s] = (v[s] + neighbour) / 2;
    }
    return q;
}

} // namespace chiprace::discovery
