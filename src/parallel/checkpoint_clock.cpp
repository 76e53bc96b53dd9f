#include "chiprace/parallel/checkpoint_clock.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace chiprace::parallel {

CheckpointClock::CheckpointClock(double asked_seconds, double share)
    : asked_(asked_seconds), share_(share), next_due_(asked_seconds), interval_(asked_seconds) {
    if (!(asked_seconds > 0.0) || !std::isfinite(asked_seconds))
        throw std::invalid_argument("CheckpointClock: the asked interval must be positive");
    if (!(share > 0.0 && share < 1.0))
        throw std::invalid_argument("CheckpointClock: the share must be in (0, 1)");
}

void CheckpointClock::wrote(double start, double end) {
    const double cost = std::max(0.0, end - start);
    spent_ += cost;
    last_cost_ = cost;
    // One more ledger of the same cost, written at t, keeps (spent + cost) <= share * (t + cost).
    const double cumulative = (spent_ + cost) / share_ - cost;
    next_due_ = std::max({end + asked_, end + cost / share_, cumulative});
    interval_ = next_due_ - end;
}

} // namespace chiprace::parallel
