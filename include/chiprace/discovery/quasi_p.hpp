#pragma once
// Bryant & Lempert's (2010) quasi-p-value of each limit of a box, as the EMA Workbench computes
// it: with H of the T rows in the box cases of interest, and p the share of cases in the box
// with that one limit moved back to the initial box's, the one-sided binomial probability
// P(X >= H) for X ~ Binomial(T, p). A small value says the limit matters: without it the box
// would be much less dense.

#include "chiprace/discovery/prim.hpp"

#include <cstdint>
#include <vector>

namespace chiprace::discovery {

struct LimitQuasiP {
    std::size_t input = 0;
    /// NaN for a side whose limit is the initial box's (EMA writes -1).
    double lower = 0.0, upper = 0.0;
};

/// One entry per restricted input of box, in input order. Collective: one pass over the rows
/// and one sum reduction.
[[nodiscard]] std::vector<LimitQuasiP> quasi_p(const PrimRows& data, const BoxLimits& box,
                                               const BoxLimits& initial, Reduction& reduction);

/// P(X >= k) for X ~ Binomial(n, p) (scipy's binomtest(k, n, p, alternative="greater")).
[[nodiscard]] double binomial_upper_tail(std::uint64_t k, std::uint64_t n, double p);

} // namespace chiprace::discovery
