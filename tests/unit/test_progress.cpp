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
