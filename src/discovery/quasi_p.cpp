#include "chiprace/discovery/quasi_p.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <limits>

namespace chiprace::discovery {

double binomial_upper_tail(std::uint64_t k, std::uint64_t n, double p) {
    if (k == 0)
        return 1.0;
    if (k > n)
        return 0.0;
    const boost::math::binomial_distribution<double> b(static_cast<double>(n), p);
    return boost::math::cdf(boost::math::complement(b, static_cast<double>(k - 1)));
}

std::vector<LimitQuasiP> quasi_p(const PrimRows& data, const BoxLimits& box,
                                 const BoxLimits& initial, Reduction& reduction) {
    const auto restricted = restricted_inputs(box, initial);
    const std::size_t m = restricted.size();
    // [0, 1]: rows and cases in the box; then per restricted input i, the rows and cases just
    // outside its lower (4i + 2, 4i + 3) and its upper limit (4i + 4, 4i + 5), inside all others.
    std::vector<std::uint64_t> counts(2 + 4 * m, 0);
    const std::size_t n = data.is_case.size();
    for (std::size_t r = 0; r < n; ++r) {
        std::size_t violations = 0, which = 0;
        for (std::size_t i = 0; i < m && violations < 2; ++i) {
            const double x = data.columns[restricted[i]][r];
            if (x < box.lower[restricted[i]]) {
                ++violations;
                which = 2 + 4 * i;
            } else if (x > box.upper[restricted[i]]) {
                ++violations;
                which = 4 + 4 * i;
            }
        }
        if (violations > 1)
            continue;
        const std::size_t at = violations == 0 ? 0 : which;
        ++counts[at];
        counts[at + 1] += data.is_case[r] != 0;
    }
    reduction.sum(counts);
    const std::uint64_t rows = counts[0], cases = counts[1];
    std::vector<LimitQuasiP> out;
    for (std::size_t i = 0; i < m; ++i) {
        const std::size_t u = restricted[i];
        LimitQuasiP q{u, std::numeric_limits<double>::quiet_NaN(),
                      std::numeric_limits<double>::quiet_NaN()};
        const auto side = [&](std::size_t at) {
            const std::uint64_t t = rows + counts[at], h = cases + counts[at + 1];
            return binomial_upper_tail(cases, rows,
                                       static_cast<double>(h) / static_cast<double>(t));
        };
        if (box.lower[u] != initial.lower[u])
            q.lower = side(2 + 4 * i);
        if (box.upper[u] != initial.upper[u])
            q.upper = side(4 + 4 * i);
        out.push_back(q);
    }
    return out;
}

} // namespace chiprace::discovery
