#include "chiprace/core/fault_injection.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace chiprace {

#ifndef CHIPRACE_FAULT_INJECTION
#define CHIPRACE_FAULT_INJECTION 0
#endif

bool fault_injection_enabled() {
    return CHIPRACE_FAULT_INJECTION != 0;
}

namespace {

struct FaultSpec {
    std::string phase, action;
    int rank = 0;
    int count = 1;
};

/// CHIPRACE_FAULT parsed once; an empty phase means no fault. A malformed value is a test bug:
/// say so and fail at once rather than run without the fault the test asked for.
const FaultSpec& spec() {
    static const FaultSpec parsed = [] {
        FaultSpec s;
        const char* text = std::getenv("CHIPRACE_FAULT");
        if (text == nullptr || *text == '\0')
            return s;
        std::vector<std::string> fields;
        std::string_view rest(text);
        while (true) {
            const auto colon = rest.find(':');
            fields.emplace_back(rest.substr(0, colon));
            if (colon == std::string_view::npos)
                break;
            rest.remove_prefix(colon + 1);
        }
        bool known_phase = false;
        for (const char* p : fault_phases)
            known_phase = known_phase || fields[0] == p;
        const std::string action = fields.size() > 1 ? fields[1] : "";
        const bool known_action = action == "sigterm" || action == "sigterm2" || action == "kill" ||
                                  action == "pause" || action == "enospc";
        if (!known_phase || !known_action || fields.size() > 4) {
            std::fprintf(stderr,
                         "chiprace: CHIPRACE_FAULT=%s: expected PHASE:ACTION[:RANK[:COUNT]]\n",
                         text);
            std::_Exit(1);
        }
        s.phase = fields[0];
        s.action = action;
        if (fields.size() > 2)
            s.rank = std::atoi(fields[2].c_str());
        if (fields.size() > 3)
            s.count = std::max(1, std::atoi(fields[3].c_str()));
        return s;
    }();
    return parsed;
}

void touch(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0)
        ::close(fd);
}

/// Writes zeros into OUT.fault-filler until the file system says it is full.
void fill_file_system(const std::string& output) {
    const std::string filler = output + ".fault-filler";
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    const std::vector<char> zeros(std::size_t{1} << 16, 0);
    for (std::size_t chunk = zeros.size(); chunk > 0;) {
        if (::write(fd, zeros.data(), chunk) < 0) {
            if (errno != ENOSPC && errno != EINTR)
                break;
            if (errno == ENOSPC)
                chunk /= 2; // the last partial pages too
        }
    }
    ::fsync(fd);
    ::close(fd);
}

} // namespace

void fault_point(const char* phase, int rank, const std::string& output) {
    if constexpr (CHIPRACE_FAULT_INJECTION == 0)
        return;
    const auto& s = spec();
    if (s.phase.empty() || s.phase != phase || s.rank != rank)
        return;
    static std::atomic<int> reached{0};
    if (++reached != s.count)
        return;
    std::fprintf(stderr, "chiprace: fault injection: %s at phase %s on rank %d\n", s.action.c_str(),
                 phase, rank);
    std::fflush(stderr);
    if (s.action == "sigterm") {
        std::raise(SIGTERM);
    } else if (s.action == "sigterm2") {
        std::raise(SIGTERM);
        std::raise(SIGTERM);
    } else if (s.action == "kill") {
        std::raise(SIGKILL);
    } else if (s.action == "pause") {
        touch(output + ".fault-reached");
        const std::string go_on = output + ".fault-continue";
        for (int i = 0; i < 6000 && !std::filesystem::exists(go_on); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } else if (s.action == "enospc") {
        fill_file_system(output);
    }
}

} // namespace chiprace
