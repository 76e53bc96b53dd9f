#include "chiprace/design/grid_design.hpp"

#include <array>
#include <charconv>

namespace chiprace::design {

GridDesign::GridDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t samples,
                       std::vector<GridAxis> axes)
    : random_(seed, dimension, samples), axes_(std::move(axes)) {}

std::uint64_t GridDesign::cells() const {
    std::uint64_t c = 1;
    for (const auto& a : axes_)
        c *= a.values.size();
    return c;
}

std::size_t GridDesign::level(std::uint64_t run, std::size_t axis) const {
    std::uint64_t cell = run % cells();
    for (std::size_t a = axes_.size(); a-- > axis + 1;)
        cell /= axes_[a].values.size();
    return static_cast<std::size_t>(cell % axes_[axis].values.size());
}

void GridDesign::fixed_values(std::uint64_t first, std::size_t n, std::span<double> values) const {
    for (std::size_t a = 0; a < axes_.size(); ++a)
        for (std::size_t i = 0; i < n; ++i)
            values[axes_[a].parameter * n + i] = axes_[a].values[level(first + i, a)];
}

std::vector<DesignFact> GridDesign::facts() const {
    auto facts = random_.facts();
    facts[0].second = std::string("grid");
    facts.push_back({"cells", static_cast<std::int64_t>(cells())});
    std::string axes;
    for (const auto& a : axes_) {
        axes += (axes.empty() ? "" : "; ") + a.name + " = [";
        for (std::size_t k = 0; k < a.values.size(); ++k) {
            std::array<char, 32> buf{};
            const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), a.values[k]);
            axes += (k ? ", " : "") + std::string(buf.data(), r.ptr);
        }
        axes += "]";
    }
    facts.push_back({"axes", axes});
    facts.push_back({"layout", std::string("run i: cell i mod cells, the first axis varying "
                                           "slowest; other parameters by Monte Carlo")});
    return facts;
}

} // namespace chiprace::design
