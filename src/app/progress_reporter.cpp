#include "chiprace/app/progress_reporter.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace chiprace::app {

namespace {
std::string duration_text(double seconds) {
    if (!std::isfinite(seconds))
        return "?";
    const auto s = static_cast<long long>(seconds + 0.5);
    std::ostringstream t;
    if (s >= 3600)
        t << s / 3600 << "h" << std::setw(2) << std::setfill('0') << (s % 3600) / 60 << "m";
    else if (s >= 60)
        t << s / 60 << "m" << std::setw(2) << std::setfill('0') << s % 60 << "s";
    else
        t << s << "s";
    return t.str();
}
} // namespace

ProgressReporter::ProgressReporter(std::ostream& out, bool terminal, std::chrono::seconds every)
    : out_(out), terminal_(terminal), every_(every), start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressReporter::update(std::uint64_t done, std::uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    const bool finished = done >= total;
    if (!finished && now - last_ < every_)
        return;
    if (finished && !drawn_)
        return; // a run too short to have shown progress needs no final line either
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double left = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : NAN;
    const double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    std::ostringstream line;
    line << "chiprace: " << done << " / " << total << " runs (" << std::fixed
         << std::setprecision(1) << 100.0 * fraction << "%), " << std::setprecision(0) << rate
         << " runs/s, "
         << (finished ? "done in " + duration_text(elapsed) : "ETA " + duration_text(left))
         << note_;
    if (terminal_) {
        constexpr int width = 30;
        const int filled = static_cast<int>(fraction * width);
        out_ << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
             << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << line.str()
             << "\x1b[K" << (finished ? "\n" : "") << std::flush;
    } else {
        out_ << line.str() << '\n' << std::flush;
    }
    drawn_ = true;
}

void ProgressReporter::checkpoint_interval(double seconds, double asked, double ledger_seconds,
                                           double share) {
    if (!(seconds > asked)) {
        note_.clear();
        return;
    }
    std::ostringstream t;
    t << "; checkpoints every " << std::fixed << std::setprecision(seconds < 100 ? 1 : 0) << seconds
      << " s (asked " << std::defaultfloat << asked << " s; a ledger takes " << std::fixed
      << std::setprecision(2) << ledger_seconds << " s: ledgers kept under " << std::defaultfloat
      << 100.0 * share << "% of the run)";
    note_ = t.str();
}

} // namespace chiprace::app
