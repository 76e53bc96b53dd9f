#include "chiprace/design/morris_design.hpp"

#include "chiprace/random/counter_stream.hpp"

#include <numeric>
#include <stdexcept>

namespace chiprace::design {

namespace {
/// Uniform integer in [0, bound) without modulo bias (Lemire 2019).
std::uint32_t below(random::CounterStream& s, std::uint32_t bound) {
    std::uint64_t m = std::uint64_t{s()} * bound;
    auto low = static_cast<std::uint32_t>(m);
    if (low < bound) {
        const std::uint32_t threshold = (0u - bound) % bound;
        while (low < threshold) {
            m = std::uint64_t{s()} * bound;
            low = static_cast<std::uint32_t>(m);
        }
    }
    return static_cast<std::uint32_t>(m >> 32);
}
} // namespace

MorrisDesign::MorrisDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t trajectories,
                           unsigned levels)
    : seed_(seed), dimension_(dimension), trajectories_(trajectories), levels_(levels) {
    if (levels < 2 || levels % 2 != 0)
        throw std::invalid_argument("MorrisDesign: levels must be an even number >= 2");
}

MorrisDesign::Trajectory MorrisDesign::trajectory(std::uint64_t t) const {
    random::CounterStream s(seed_, t, random::StreamPurpose::permutation, 2);
    Trajectory tr;
    const unsigned delta = levels_ / 2;
    tr.base_level.resize(dimension_);
    tr.direction.resize(dimension_);
    for (std::size_t k = 0; k < dimension_; ++k) {
        tr.base_level[k] = below(s, levels_);
        tr.direction[k] = tr.base_level[k] + delta <= levels_ - 1 ? +1 : -1;
    }
    tr.order.resize(dimension_);
    std::iota(tr.order.begin(), tr.order.end(), std::size_t{0});
    for (std::size_t k = dimension_; k > 1; --k) // Fisher–Yates
        std::swap(tr.order[k - 1], tr.order[below(s, static_cast<std::uint32_t>(k))]);
    return tr;
}

std::size_t MorrisDesign::moved_dimension(std::uint64_t run) const {
    const std::uint64_t step_index = run % (dimension_ + 1);
    if (step_index == 0)
        return dimension_;
    return trajectory(run / (dimension_ + 1)).order[step_index - 1];
}

double MorrisDesign::step(std::uint64_t run) const {
    const std::uint64_t step_index = run % (dimension_ + 1);
    if (step_index == 0)
        return 0.0;
    const auto tr = trajectory(run / (dimension_ + 1));
    return static_cast<double>(tr.direction[tr.order[step_index - 1]]) * 0.5; // p/2 levels of 1/p
}

void MorrisDesign::unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const {
    const unsigned delta = levels_ / 2;
    std::uint64_t current = ~std::uint64_t{0};
    Trajectory tr;
    std::vector<unsigned> level(dimension_);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t run = first + i;
        const std::uint64_t t = run / (dimension_ + 1);
        const std::uint64_t step_index = run % (dimension_ + 1);
        if (t != current) {
            tr = trajectory(t);
            current = t;
        }
        level = tr.base_level;
        for (std::uint64_t s = 0; s < step_index; ++s) {
            const std::size_t k = tr.order[s];
            level[k] = tr.direction[k] > 0 ? level[k] + delta : level[k] - delta;
        }
        // Level ℓ sits at the middle of the ℓ-th of p equal cells: inside (0, 1), so every
        // marginal's quantile is finite.
        for (std::size_t k = 0; k < dimension_; ++k)
            out[k * n + i] = (level[k] + 0.5) / static_cast<double>(levels_);
    }
}

std::vector<DesignFact> MorrisDesign::facts() const {
    return {{"kind", std::string("morris")},
            {"seed", static_cast<std::int64_t>(seed_)},
            {"trajectories", static_cast<std::int64_t>(trajectories_)},
            {"n_runs", static_cast<std::int64_t>(run_count())},
            {"dimension", static_cast<std::int64_t>(dimension_)},
            {"levels", static_cast<std::int64_t>(levels_)},
            {"delta", 0.5},
            {"method", std::string("run i: step i mod (d+1) of trajectory i / (d+1); level l "
                                   "maps to u = (l + 0.5) / p; each step moves one dimension by "
                                   "p/2 levels (u by 0.5), up when it fits, else down; base "
                                   "levels, order and directions from Philox(seed, t, purpose 4, "
                                   "substream 2)")}};
}

} // namespace chiprace::design
