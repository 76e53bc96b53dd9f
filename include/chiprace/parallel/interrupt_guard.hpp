#pragma once
// SIGTERM, SIGINT and SIGUSR1 (Slurm's --signal, a time limit, Ctrl-C) ask the run to stop at
// the next round boundary, leaving a checkpoint it can resume from; a second signal ends the
// process at once (exit code 3), the last checkpoint on disk intact (it is replaced only by an
// atomic rename). The handlers are installed for the lifetime of the guard.

#include <csignal>

namespace chiprace::parallel {

class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    /// True once a signal arrived.
    [[nodiscard]] static bool requested();
    /// The signal's name, for the message ("SIGTERM"); empty when none.
    [[nodiscard]] static const char* signal_name();

private:
    struct sigaction previous_[3];
};

} // namespace chiprace::parallel
