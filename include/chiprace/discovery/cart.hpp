#pragma once
// A CART summary next to PRIM's box (Breiman et al. 1984): a classification tree of the case
// flag, each split "x_j <= e" chosen by the Gini impurity among the edges of per-input bins.
// The bins are the inputs' global quantiles (exact, distributed_quantile.hpp) computed once, and
// a node's class counts per bin are integer sums over ranks, so the tree is the same for any
// number of ranks.

#include "chiprace/discovery/reduction.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace chiprace::discovery {

struct CartSettings {
    std::size_t depth = 3;
    std::size_t bins = 256;          // per input, at most 256
    std::uint64_t min_leaf_rows = 1; // no split leaves fewer rows on either side
};

/// A leaf: the rows with lower[j] < x_j <= upper[j] for every j (-inf and +inf where the path
/// does not split on j).
struct CartLeaf {
    std::vector<double> lower, upper;
    std::uint64_t rows = 0, cases = 0;
    std::size_t depth = 0;
};

/// The leaves left to right ("<=" before ">"). columns[j][r], is_case[r]: this rank's rows.
/// Collective.
[[nodiscard]] std::vector<CartLeaf> cart(const std::vector<std::span<const double>>& columns,
                                         std::span<const std::uint8_t> is_case,
                                         const CartSettings& settings, Reduction& reduction);

} // namespace chiprace::discovery
