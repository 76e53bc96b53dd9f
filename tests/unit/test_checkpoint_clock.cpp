#include "chiprace/parallel/checkpoint_clock.hpp"

#include <doctest/doctest.h>
#include <functional>

using chiprace::parallel::CheckpointClock;

namespace {

struct Simulated {
    double elapsed = 0.0, ledger_seconds = 0.0, worst_share_after_first = 0.0;
    int ledgers = 0;
};

/// A run of `length` seconds in rounds of `round` seconds that asks the clock after each round
/// and writes a ledger of cost(k) seconds (the k-th ledger) when it is due.
Simulated simulate(CheckpointClock& clock, double length, double round,
                   const std::function<double(int)>& cost) {
    Simulated s;
    double computed = 0.0;
    while (computed < length) {
        s.elapsed += round;
        computed += round;
        if (!clock.due(s.elapsed))
            continue;
        const double c = cost(s.ledgers++);
        clock.wrote(s.elapsed, s.elapsed + c);
        s.elapsed += c;
        s.ledger_seconds += c;
        if (s.ledgers > 1)
            s.worst_share_after_first =
                std::max(s.worst_share_after_first, s.ledger_seconds / s.elapsed);
    }
    return s;
}

} // namespace

TEST_CASE("checkpoint clock: cheap ledgers keep the asked interval") {
    CheckpointClock clock(60.0);
    CHECK_FALSE(clock.due(59.9));
    CHECK(clock.due(60.0)); // the first ledger at the asked interval
    clock.wrote(60.0, 60.2);
    CHECK_FALSE(clock.stretched());
    CHECK(clock.interval() == doctest::Approx(60.0));
    CHECK_FALSE(clock.due(120.1));
    CHECK(clock.due(120.2));
    const auto run = simulate(clock, 3600.0, 0.5, [](int) { return 0.2; });
    CHECK(run.ledgers == doctest::Approx(3600.0 / 60.0).epsilon(0.05));
}

TEST_CASE("checkpoint clock: costly ledgers stretch the interval to keep their share") {
    // --checkpoint-every 1 with ledgers of 0.8 s: unclocked, the run would spend 44% of its
    // time on them.
    CheckpointClock clock(1.0);
    clock.wrote(1.0, 1.8);
    CHECK(clock.stretched());
    // The first ledger (0.8 s after 1 s) is paid back: the next waits until 2 ledgers fit in 5%.
    CHECK(clock.interval() == doctest::Approx((0.8 + 0.8) / 0.05 - 0.8 - 1.8));
    CHECK_FALSE(clock.due(1.8 + 16.0));

    CheckpointClock fresh(1.0);
    const auto run = simulate(fresh, 600.0, 0.05, [](int) { return 0.8; });
    CHECK(run.worst_share_after_first <= CheckpointClock::default_share + 1e-12);
    CHECK(run.ledger_seconds / run.elapsed <= CheckpointClock::default_share);
    CHECK(run.ledger_seconds / run.elapsed > 0.8 * CheckpointClock::default_share); // not idle
    CHECK(fresh.interval() == doctest::Approx(0.8 / 0.05).epsilon(0.1));
}

TEST_CASE("checkpoint clock: growing ledgers and a slow one keep the share") {
    // Ledgers grow with the run (sketches fill up), and one write hits a slow disk.
    CheckpointClock clock(2.0);
    const auto run =
        simulate(clock, 2000.0, 0.1, [](int k) { return k == 5 ? 20.0 : 0.05 + 0.01 * k; });
    CHECK(run.ledger_seconds / run.elapsed <= CheckpointClock::default_share);
    // After the slow write the clock relaxes back towards the asked interval, not forever.
    CHECK(clock.interval() < 20.0 / 0.05);
}

TEST_CASE("checkpoint clock: another share, and arguments it refuses") {
    CheckpointClock clock(1.0, 0.5);
    clock.wrote(1.0, 2.0);
    CHECK(clock.interval() == doctest::Approx(2.0)); // (1+1)/0.5 - 1 = 3 s from the start
    CHECK(clock.ledger_seconds() == doctest::Approx(1.0));
    CHECK_THROWS(CheckpointClock(0.0));
    CHECK_THROWS(CheckpointClock(-1.0));
    CHECK_THROWS(CheckpointClock(1.0, 0.0));
    CHECK_THROWS(CheckpointClock(1.0, 1.0));
}
