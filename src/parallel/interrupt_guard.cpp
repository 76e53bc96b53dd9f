#include "chiprace/parallel/interrupt_guard.hpp"

#include "chiprace/core/exit_code.hpp"

#include <unistd.h>

namespace chiprace::parallel {

namespace {

volatile std::sig_atomic_t signals_seen = 0;
volatile std::sig_atomic_t last_signal = 0;
constexpr int handled[3] = {SIGTERM, SIGINT, SIGUSR1};

extern "C" void on_signal(int sig) {
    last_signal = sig;
    const bool second = signals_seen > 0;
    signals_seen = 1;
    if (second) {
        // Only async-signal-safe calls here.
        constexpr char msg[] = "chiprace: second signal: exiting now; the last checkpoint "
                               "stays usable with --resume\n";
        [[maybe_unused]] const auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(exit_code::interrupted);
    }
}

} // namespace

InterruptGuard::InterruptGuard() {
    signals_seen = 0;
    last_signal = 0;
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART; // MPI and HDF5 calls resume after the handler
    for (int i = 0; i < 3; ++i)
        sigaction(handled[i], &action, &previous_[i]);
}

InterruptGuard::~InterruptGuard() {
    for (int i = 0; i < 3; ++i)
        sigaction(handled[i], &previous_[i], nullptr);
}

bool InterruptGuard::requested() {
    return signals_seen > 0;
}

const char* InterruptGuard::signal_name() {
    switch (last_signal) {
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGUSR1:
        return "SIGUSR1";
    default:
        return "";
    }
}

} // namespace chiprace::parallel
