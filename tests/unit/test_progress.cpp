#include "chiprace/app/progress_reporter.hpp"

#include <doctest/doctest.h>
#include <sstream>

using chiprace::app::ProgressReporter;

TEST_CASE("progress: plain lines for logs, a redrawn bar for terminals, a final line") {
    std::ostringstream log;
    ProgressReporter plain(log, false, std::chrono::seconds(0));
    plain.update(250, 1000);
    plain.update(1000, 1000);
    const auto text = log.str();
    CHECK(text.find("chiprace: 250 / 1000 runs (25.0%)") != std::string::npos);
    CHECK(text.find("ETA") != std::string::npos);
    CHECK(text.find("1000 / 1000 runs (100.0%)") != std::string::npos);
    CHECK(text.find("done in") != std::string::npos);
    CHECK(text.find('\r') == std::string::npos);

    std::ostringstream tty;
    ProgressReporter bar(tty, true, std::chrono::seconds(0));
    bar.update(500, 1000);
    CHECK(tty.str().find("\r[###############               ]") == 0);

    std::ostringstream quiet_log;
    ProgressReporter slow(quiet_log, false, std::chrono::seconds(3600));
    slow.update(10, 1000);   // too soon for a line
    slow.update(1000, 1000); // and a run that never showed progress needs no final line
    CHECK(quiet_log.str().empty());
}

TEST_CASE("progress: a stretched checkpoint interval is told in every line") {
    std::ostringstream log;
    ProgressReporter plain(log, false, std::chrono::seconds(0));
    plain.checkpoint_interval(16.21, 1.0, 0.812, 0.05);
    plain.update(250, 1000);
    CHECK(log.str().find("; checkpoints every 16.2 s (asked 1 s; a ledger takes 0.81 s: ledgers "
                         "kept under 5% of the run)\n") != std::string::npos);
    plain.checkpoint_interval(1.0, 1.0, 0.01, 0.05); // back at the asked interval: say nothing
    plain.update(500, 1000);
    CHECK(log.str().find("checkpoints", log.str().find("500 / 1000")) == std::string::npos);
}
