#include "chiprace/io/output_lock.hpp"

#include "chiprace/io/exclusive_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <signal.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace chiprace::io {

namespace {

std::string first_line_of(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

/// Field 22 of /proc/<pid>/stat (start time in clock ticks after boot), empty when the process
/// does not exist or the system has no /proc.
std::string process_start(long pid) {
    const auto stat = first_line_of("/proc/" + std::to_string(pid) + "/stat");
    // The command name (field 2) is in parentheses and may contain spaces: count after it.
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return {};
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22 && (fields >> field); ++i)
        if (i == 22)
            return field;
    return {};
}

bool process_exists(long pid) {
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM))
        return false;
    // A zombie (state Z: exited, not yet reaped, e.g. a rank whose mpiexec died) holds nothing.
    const auto stat = first_line_of("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0)
        return "unknown-host";
    return name;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string environment(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string serialized(const LockHolder& h) {
    std::ostringstream out;
    // One value per line: a newline in the command line would end it early.
    auto line = [&](const char* key, std::string value) {
        for (auto& c : value)
            if (c == '\n')
                c = ' ';
        out << key << '=' << value << '\n';
    };
    line("host", h.host);
    line("pid", std::to_string(h.pid));
    line("pid_start", h.pid_start);
    line("boot_id", h.boot_id);
    line("slurm_job", h.slurm_job);
    line("slurm_restart", h.slurm_restart);
    line("started_utc", h.started_utc);
    line("command", h.command);
    line("chiprace_version", h.version);
    line("token", h.token);
    return out.str();
}

/// Contents and modification time of a regular file, read without following a link or
/// blocking on a FIFO; nullopt when it is gone or not a regular file.
struct LockFileState {
    std::string text;
    std::chrono::system_clock::time_point modified;
};
std::optional<LockFileState> read_lock_file(const std::string& path) {
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    LockFileState state;
    state.modified = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    char buffer[4096];
    for (;;) {
        const auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n <= 0 || state.text.size() > (1u << 20))
            break;
        state.text.append(buffer, static_cast<std::size_t>(n));
    }
    return state;
}

void write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw RuntimeFailure("cannot write " + path + ": " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0)
        throw RuntimeFailure("cannot flush " + path + ": " + std::strerror(errno));
}

std::string age_text(std::chrono::seconds age) {
    const auto s = age.count();
    if (s < 120)
        return std::to_string(s) + " s";
    if (s < 2 * 3600)
        return std::to_string(s / 60) + " min";
    return std::to_string(s / 3600) + " h";
}

long number_or(const std::string& text, long fallback) {
    try {
        return text.empty() ? fallback : std::stol(text);
    } catch (const std::exception&) {
        return fallback;
    }
}

/// Why the holder of a lock is known to be gone (empty: it may be alive), and the refusal
/// message when it is not shown to be gone.
struct Verdict {
    bool stale = false;
    std::string why;
};

Verdict judge(const LockHolder& holder, const LockHolder& self, std::chrono::seconds age,
              bool break_lock, const std::string& path) {
    const std::string who = holder.pid > 0 ? holder.description() : "an unknown holder";
    if (holder.pid > 0 && holder.host == self.host) {
        if (!holder.boot_id.empty() && !self.boot_id.empty() && holder.boot_id != self.boot_id)
            return {true, who + " (this host has restarted since)"};
        if (!process_exists(holder.pid))
            return {true, who + " (that process is no longer running)"};
        const auto start = process_start(holder.pid);
        if (!holder.pid_start.empty() && !start.empty() && start != holder.pid_start)
            return {true, who + " (that process is no longer running; its pid now belongs to "
                                "another process)"};
        return {false, path + " is held by a live run: " + who +
                           ". One run per output: wait for it to finish, stop it (kill -TERM " +
                           std::to_string(holder.pid) +
                           " saves a checkpoint), or choose another -o. "
                           "--force does not override a live lock"};
    }
    if (!holder.slurm_job.empty() && holder.slurm_job == self.slurm_job &&
        number_or(holder.slurm_restart, 0) < number_or(self.slurm_restart, 0))
        return {true, who + " (an earlier run of this requeued Slurm job, restart " +
                          (holder.slurm_restart.empty() ? "0" : holder.slurm_restart) + ")"};
    const bool old = age >= OutputLock::stale_after;
    if (old && break_lock)
        return {true, who + " (no heartbeat for " + age_text(age) + ", --break-lock)"};
    std::string message = path + " is held by " + who + "; its heartbeat is " + age_text(age) +
                          " old. One run per output: ";
    if (old)
        message += "if that run is dead (a lost node, kill -9), take the lock over with "
                   "--break-lock";
    else
        message += "the holder looks alive (a live run refreshes the lock every " +
                   age_text(OutputLock::heartbeat_every) +
                   "); --break-lock takes over only a "
                   "lock without a heartbeat for " +
                   age_text(OutputLock::stale_after) + ". Wait for it, or choose another -o";
    message += ". --force does not override a lock";
    return {false, message};
}

} // namespace

LockHolder LockHolder::current(const std::string& command, const std::string& version) {
    LockHolder h;
    h.host = host_name();
    h.pid = static_cast<long>(::getpid());
    h.pid_start = process_start(h.pid);
    h.boot_id = first_line_of("/proc/sys/kernel/random/boot_id");
    const auto array_job = environment("SLURM_ARRAY_JOB_ID");
    h.slurm_job = array_job.empty() ? environment("SLURM_JOB_ID")
                                    : array_job + "_" + environment("SLURM_ARRAY_TASK_ID");
    h.slurm_restart = environment("SLURM_RESTART_COUNT");
    h.started_utc = utc_now();
    h.command = command;
    h.version = version;
    std::random_device random;
    char token[33];
    std::snprintf(token, sizeof token, "%08x%08x%08x%08x", random(), random(), random(), random());
    h.token = token;
    return h;
}

std::string LockHolder::description() const {
    std::string s = "pid " + std::to_string(pid) + " on host " + host;
    if (!slurm_job.empty())
        s += " (Slurm job " + slurm_job + ")";
    if (!started_utc.empty())
        s += ", started " + started_utc;
    if (!command.empty())
        s += ": " + command;
    return s;
}

LockHolder parse_lock_holder(const std::string& text) {
    LockHolder h;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        const auto key = line.substr(0, eq);
        auto value = line.substr(eq + 1);
        if (key == "host")
            h.host = value;
        else if (key == "pid")
            h.pid = number_or(value, 0);
        else if (key == "pid_start")
            h.pid_start = value;
        else if (key == "boot_id")
            h.boot_id = value;
        else if (key == "slurm_job")
            h.slurm_job = value;
        else if (key == "slurm_restart")
            h.slurm_restart = value;
        else if (key == "started_utc")
            h.started_utc = value;
        else if (key == "command")
            h.command = value;
        else if (key == "chiprace_version")
            h.version = value;
        else if (key == "token")
            h.token = value;
    }
    return h;
}

OutputLock::OutputLock(const std::string& output, const LockRequest& request)
    : path_(output + ".lock"), self_(LockHolder::current(request.command, request.version)) {
    const std::string contents = serialized(self_);
    // Private names: unique to this host and process, so no other run ever touches them.
    const std::string suffix = "." + self_.host + "." + std::to_string(self_.pid);
    const std::string fresh = path_ + ".new" + suffix, aside = path_ + ".stale" + suffix;
    for (int attempt = 0; attempt < 8; ++attempt) {
        clear_for_exclusive_creation(fresh);
        {
            const auto fd = create_exclusive(fresh);
            if (fd.get() < 0)
                throw RuntimeFailure("cannot create " + fresh + ": it appeared meanwhile");
            write_all(fd.get(), contents, fresh);
        }
        // link(2) never replaces nor follows an existing name. Over NFS a lost reply can make a
        // successful link report an error: the link count of the private name tells the truth.
        const int linked = ::link(fresh.c_str(), path_.c_str());
        const int link_errno = errno;
        struct stat st {};
        const bool ours = linked == 0 || (::lstat(fresh.c_str(), &st) == 0 && st.st_nlink == 2);
        ::unlink(fresh.c_str());
        if (!ours && (link_errno == EPERM || link_errno == ENOTSUP || link_errno == EOPNOTSUPP ||
                      link_errno == ENOSYS)) {
            // No hard links on this file system: exclusive creation, which is atomic too, but
            // a competitor may read the lock before its contents are written.
            const auto fd = create_exclusive(path_);
            if (fd.get() >= 0) {
                write_all(fd.get(), contents, path_);
                break;
            }
        } else if (ours) {
            break;
        } else if (link_errno != EEXIST) {
            throw RuntimeFailure("cannot create the lock " + path_ + ": " +
                                 std::strerror(link_errno));
        }

        // Someone else's lock, or something else in its place.
        const auto kind = path_kind(path_);
        if (kind == PathKind::absent)
            continue; // released meanwhile
        if (kind != PathKind::regular)
            throw LockRefused(path_ + " is " + describe_path_kind(path_, kind) +
                              ": chiprace creates its lock itself and never writes through a "
                              "link or into anything but a regular file; remove it");
        const auto state = read_lock_file(path_);
        if (!state)
            continue;
        const auto holder = parse_lock_holder(state->text);
        const auto age = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now() - state->modified);
        const auto verdict =
            judge(holder, self_, std::max(age, std::chrono::seconds(0)), request.break_lock, path_);
        if (!verdict.stale)
            throw LockRefused(verdict.why);
        // Move the stale lock aside (atomic), then check that what moved is the lock judged:
        // a competitor may have replaced it with its own fresh lock meanwhile, which is put
        // back (link: without replacing whatever is there now).
        clear_for_exclusive_creation(aside);
        if (::rename(path_.c_str(), aside.c_str()) != 0)
            continue;
        const auto moved = read_lock_file(aside);
        if (!moved || parse_lock_holder(moved->text).token != holder.token) {
            [[maybe_unused]] const int restored = ::link(aside.c_str(), path_.c_str());
            ::unlink(aside.c_str());
            continue;
        }
        ::unlink(aside.c_str());
        takeover_note_ = path_ + " was left by " + verdict.why + "; taking it over";
        if (attempt == 7)
            break;
    }
    const auto mine = read_lock_file(path_);
    if (!mine || parse_lock_holder(mine->text).token != self_.token)
        throw LockRefused("cannot take the lock " + path_ +
                          ": other runs keep taking it; one run per output");
    heartbeat_ = std::thread([this] { heartbeat_loop(); });
}

void OutputLock::heartbeat_loop() {
    std::unique_lock guard(mutex_);
    bool warned = false;
    while (!wake_.wait_for(guard, heartbeat_every, [this] { return stopping_; })) {
        const auto state = read_lock_file(path_);
        if (state && parse_lock_holder(state->text).token == self_.token) {
            ::utimensat(AT_FDCWD, path_.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
        } else if (!warned) {
            warned = true;
            std::cerr << "\nchiprace: warning: " << path_
                      << " is no longer this run's (removed, or taken over with --break-lock): "
                         "another run may now write the same output\n";
        }
    }
}

OutputLock::~OutputLock() {
    {
        const std::lock_guard guard(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (heartbeat_.joinable())
        heartbeat_.join();
    const auto state = read_lock_file(path_);
    if (state && parse_lock_holder(state->text).token == self_.token)
        ::unlink(path_.c_str());
}

} // namespace chiprace::io
