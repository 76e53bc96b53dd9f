#pragma once
// Reduction of per-block results in a fixed binary tree over block indices, so that the
// result is bitwise the same however the blocks were shared among ranks and threads.
//
// Node (level L, index j) covers blocks [j·2^L, (j+1)·2^L) and is defined as
// merge(node(L−1, 2j), node(L−1, 2j+1)). Any worker that owns a contiguous range of blocks
// pushes them in order; siblings merge as soon as both are present. The nodes a worker is
// left with are exactly the aligned pieces of its range, and pushing those pieces from every
// worker, in block order, into one reducer rebuilds the same tree. finish() folds the
// remaining maximal pieces of [0, B) from left to right, which depends on B alone.
// Cost: O(log B) live nodes per worker; merges are the same count as a sequential fold.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace chiprace::stats {

struct DyadicNodeId {
    std::uint32_t level = 0;
    std::uint64_t index = 0;
    [[nodiscard]] std::uint64_t first_block() const { return index << level; }
    [[nodiscard]] std::uint64_t end_block() const { return (index + 1) << level; }
};

/// T needs `void merge(const T& right)` (right covers the blocks after this one's).
template <class T>
class DyadicReduction {
public:
    struct Node {
        DyadicNodeId id;
        T value;
    };

    void push_block(std::uint64_t block, T value) { push({{0, block}, std::move(value)}); }

    /// Nodes must arrive in increasing block order, without gaps inside one reduction.
    void push(Node node) {
        if (!stack_.empty() && stack_.back().id.end_block() != node.id.first_block())
            throw std::logic_error("DyadicReduction: nodes pushed out of order or with a gap");
        stack_.push_back(std::move(node));
        while (stack_.size() >= 2) {
            auto& right = stack_[stack_.size() - 1];
            auto& left = stack_[stack_.size() - 2];
            const bool siblings = left.id.level == right.id.level && (left.id.index & 1u) == 0 &&
                                  left.id.index + 1 == right.id.index;
            if (!siblings)
                break;
            left.value.merge(right.value);
            left.id = {left.id.level + 1, left.id.index >> 1};
            stack_.pop_back();
        }
    }

    /// The pieces left, in block order: what a worker hands on to the next reduction.
    [[nodiscard]] std::vector<Node>& pieces() { return stack_; }
    [[nodiscard]] const std::vector<Node>& pieces() const { return stack_; }
    [[nodiscard]] bool empty() const { return stack_.empty(); }

    /// Left fold of the remaining pieces; valid once every block of [0, B) was pushed.
    [[nodiscard]] std::optional<T> finish() && {
        if (stack_.empty())
            return std::nullopt;
        T acc = std::move(stack_.front().value);
        for (std::size_t i = 1; i < stack_.size(); ++i)
            acc.merge(stack_[i].value);
        stack_.clear();
        return acc;
    }

private:
    std::vector<Node> stack_;
};

} // namespace chiprace::stats
