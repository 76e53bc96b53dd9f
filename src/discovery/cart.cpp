#include "chiprace/discovery/cart.hpp"

#include "chiprace/discovery/distributed_quantile.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace chiprace::discovery {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

struct Node {
    CartLeaf leaf;
    bool open = true; // may still split
};

/// n times the Gini impurity 2p(1 - p) of a node with k cases among n rows.
double weighted_gini(std::uint64_t k, std::uint64_t n) {
    if (n == 0)
        return 0.0;
    const double kd = static_cast<double>(k), nd = static_cast<double>(n);
    return 2.0 * kd * (nd - kd) / nd;
}

} // namespace

std::vector<CartLeaf> cart(const std::vector<std::span<const double>>& columns,
                           std::span<const std::uint8_t> is_case, const CartSettings& settings,
                           Reduction& reduction) {
    const std::size_t d = columns.size(), n = is_case.size();
    const std::size_t bins = settings.bins;
    if (bins < 2 || bins > 256)
        throw std::invalid_argument("cart: between 2 and 256 bins");
    std::vector<std::uint64_t> totals{n, 0};
    for (const auto c : is_case)
        totals[1] += c != 0;
    reduction.sum(totals);
    if (totals[0] == 0)
        throw std::invalid_argument("cart: no rows");

    // Bin edges: the global quantiles b / bins of each input, one input at a time so that only
    // one sorted order is held; then each row's bin, a byte per row and input.
    std::vector<std::vector<double>> edges(d);
    std::vector<std::vector<std::uint8_t>> bin(d, std::vector<std::uint8_t>(n));
    for (std::size_t j = 0; j < d; ++j) {
        const auto order = sorted_rows(columns[j]);
        const std::vector<SortedRows> sets(bins - 1, SortedRows{columns[j], order});
        std::vector<std::uint64_t> k(bins - 1), size(bins - 1, totals[0]);
        for (std::size_t b = 1; b < bins; ++b)
            k[b - 1] = (totals[0] * b) / bins;
        edges[j] = kth_smallest(sets, k, size, reduction);
        for (std::size_t r = 0; r < n; ++r) {
            const auto it = std::lower_bound(edges[j].begin(), edges[j].end(), columns[j][r]);
            bin[j][r] = static_cast<std::uint8_t>(it - edges[j].begin());
        }
    }

    std::vector<Node> level(1);
    level[0].leaf.lower.assign(d, -infinity);
    level[0].leaf.upper.assign(d, infinity);
    level[0].leaf.rows = totals[0];
    level[0].leaf.cases = totals[1];
    std::vector<std::uint32_t> node_of(n, 0); // index into level, per row
    for (std::size_t depth = 0; depth < settings.depth; ++depth) {
        const std::size_t m = level.size();
        // Per node, input and bin: rows and cases.
        std::vector<std::uint64_t> hist(m * d * bins * 2, 0);
        for (std::size_t r = 0; r < n; ++r) {
            const std::size_t node = node_of[r];
            if (!level[node].open)
                continue;
            for (std::size_t j = 0; j < d; ++j) {
                const std::size_t at = ((node * d + j) * bins + bin[j][r]) * 2;
                ++hist[at];
                hist[at + 1] += is_case[r] != 0;
            }
        }
        reduction.sum(hist);
        std::vector<Node> next;
        std::vector<std::uint32_t> remap_left(m), remap_right(m);
        std::vector<std::size_t> split_input(m, d), split_bin(m, 0);
        for (std::size_t node = 0; node < m; ++node) {
            auto& leaf = level[node].leaf;
            const bool pure = leaf.cases == 0 || leaf.cases == leaf.rows;
            double best = weighted_gini(leaf.cases, leaf.rows);
            if (level[node].open && !pure)
                for (std::size_t j = 0; j < d; ++j) {
                    std::uint64_t rows_left = 0, cases_left = 0;
                    for (std::size_t b = 0; b + 1 < bins; ++b) {
                        const std::size_t at = ((node * d + j) * bins + b) * 2;
                        rows_left += hist[at];
                        cases_left += hist[at + 1];
                        const std::uint64_t rows_right = leaf.rows - rows_left;
                        if (rows_left < settings.min_leaf_rows ||
                            rows_right < settings.min_leaf_rows)
                            continue;
                        const double g = weighted_gini(cases_left, rows_left) +
                                         weighted_gini(leaf.cases - cases_left, rows_right);
                        if (g < best) {
                            best = g;
                            split_input[node] = j;
                            split_bin[node] = b;
                        }
                    }
                }
            if (split_input[node] == d) {
                remap_left[node] = remap_right[node] = static_cast<std::uint32_t>(next.size());
                next.push_back(Node{leaf, false});
                continue;
            }
            const std::size_t j = split_input[node], b = split_bin[node];
            std::uint64_t rows_left = 0, cases_left = 0;
            for (std::size_t c = 0; c <= b; ++c) {
                rows_left += hist[((node * d + j) * bins + c) * 2];
                cases_left += hist[((node * d + j) * bins + c) * 2 + 1];
            }
            // Bin c holds edge[c - 1] < x <= edge[c]: the left side is x <= edge[b].
            Node left{leaf, true}, right{leaf, true};
            left.leaf.upper[j] = edges[j][b];
            right.leaf.lower[j] = edges[j][b];
            left.leaf.rows = rows_left;
            left.leaf.cases = cases_left;
            right.leaf.rows = leaf.rows - rows_left;
            right.leaf.cases = leaf.cases - cases_left;
            left.leaf.depth = right.leaf.depth = depth + 1;
            remap_left[node] = static_cast<std::uint32_t>(next.size());
            next.push_back(std::move(left));
            remap_right[node] = static_cast<std::uint32_t>(next.size());
            next.push_back(std::move(right));
        }
        for (std::size_t r = 0; r < n; ++r) {
            const std::size_t node = node_of[r];
            const std::size_t j = split_input[node];
            node_of[r] =
                (j == d || bin[j][r] <= split_bin[node]) ? remap_left[node] : remap_right[node];
        }
        level = std::move(next);
    }
    std::vector<CartLeaf> leaves;
    for (auto& node : level)
        leaves.push_back(std::move(node.leaf));
    return leaves;
}

} // namespace chiprace::discovery
