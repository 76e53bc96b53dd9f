#pragma once
// When the next checkpoint ledger is due, so that writing ledgers takes a bounded share of a
// run (docs/running.md, "Checkpoints"). A ledger holds every column's quantile sketch and
// grows with the run, so at a short asked interval (`--checkpoint-every 1`) a big experiment
// could spend most of its time writing ledgers. The clock stretches the interval instead:
//
//   - the first ledger is due at the asked interval (its cost is not known before);
//   - after a ledger that took c seconds, the next one waits at least max(asked, c / share),
//     and until the ledgers written so far plus one more of cost c stay within `share` of the
//     elapsed time (so one expensive early ledger is paid back, not repeated).
//
// Times are seconds since an origin of the caller's choosing (the run's start). Pure: the
// runner measures, this decides.

namespace chiprace::parallel {

class CheckpointClock {
public:
    /// The documented bound on ledger time: 5% of the run's elapsed time.
    static constexpr double default_share = 0.05;

    /// asked_seconds > 0 (0, "only on a signal", needs no clock); share in (0, 1).
    explicit CheckpointClock(double asked_seconds, double share = default_share);

    /// Is a ledger due at `now`?
    [[nodiscard]] bool due(double now) const { return now >= next_due_; }
    /// A ledger was written from `start` to `end`: the next is scheduled from its cost.
    void wrote(double start, double end);

    [[nodiscard]] double asked() const { return asked_; }
    [[nodiscard]] double share() const { return share_; }
    /// Seconds from the end of the last ledger to the next one (the asked interval before the
    /// first ledger).
    [[nodiscard]] double interval() const { return interval_; }
    [[nodiscard]] bool stretched() const { return interval_ > asked_; }
    /// Seconds spent writing ledgers so far, and writing the last one.
    [[nodiscard]] double ledger_seconds() const { return spent_; }
    [[nodiscard]] double last_cost() const { return last_cost_; }

private:
    double asked_;
    double share_;
    double next_due_;
    double interval_;
    double spent_ = 0.0;
    double last_cost_ = 0.0;
};

} // namespace chiprace::parallel
