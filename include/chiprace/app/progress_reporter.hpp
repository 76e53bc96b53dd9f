#pragma once
// Progress of a long run on rank 0: runs done, runs per second, time left. A bar redrawn in
// place when stderr is a terminal; otherwise a plain line every few seconds, which is what a
// batch log wants.

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace chiprace::app {

class ProgressReporter {
public:
    ProgressReporter(std::ostream& out, bool terminal, std::chrono::seconds every);
    /// Reports if enough time has passed since the last report (always the final one).
    void update(std::uint64_t done, std::uint64_t total);
    /// The checkpoint interval in use, when it is longer than the asked one, is told in every
    /// following line: "checkpoints every 16.2 s (asked 1 s; a ledger takes 0.81 s: ledgers
    /// kept under 5% of the run)".
    void checkpoint_interval(double seconds, double asked, double ledger_seconds, double share);

private:
    std::ostream& out_;
    bool terminal_;
    std::chrono::steady_clock::duration every_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_;
    bool drawn_ = false;
    std::string note_; // appended to every line; empty when there is nothing to say
};

} // namespace chiprace::app
