#pragma once
// The quantile PRIM peels and pastes at, over a set of values spread across ranks, exact and
// identical for any cut of the rows: EMA Workbench's get_quantile (after sdtoolkit), which on the
// sorted values s[0..m-1] takes i = (m - 1) q and returns the midpoint of s[ceil(i)] and the
// next smaller distinct value when q > 0.5, of s[floor(i)] and the next larger distinct value
// otherwise (the value itself when there is no such neighbour), so that a limit never sits on a
// tie.

#include "chiprace/discovery/reduction.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace chiprace::discovery {

/// This rank's part of one set: rows (local indices) sorted by column[row], ascending.
struct SortedRows {
    std::span<const double> column;
    std::span<const std::uint32_t> rows;
};

/// For each set s: its k[s]-th smallest value (0-based) over all ranks, NaN when k[s] is not
/// below the set's global size[s]. Bisection on order_key with one sum reduction of all sets'
/// counts per step (at most 64 steps). Collective: every rank passes the same number of sets.
[[nodiscard]] std::vector<double> kth_smallest(std::span<const SortedRows> sets,
                                               std::span<const std::uint64_t> k,
                                               std::span<const std::uint64_t> size,
                                               Reduction& reduction);

/// EMA's get_quantile of each set at quantile[s] (0 < q < 1); size[s] is the set's global size
/// (a sum over ranks the caller already has). NaN for an empty set. Collective.
[[nodiscard]] std::vector<double> ema_quantile(std::span<const SortedRows> sets,
                                               std::span<const double> quantile,
                                               std::span<const std::uint64_t> size,
                                               Reduction& reduction);

/// Local rows [0, n) sorted by column value, ties by row: the order a set starts from.
[[nodiscard]] std::vector<std::uint32_t> sorted_rows(std::span<const double> column);

} // namespace chiprace::discovery
