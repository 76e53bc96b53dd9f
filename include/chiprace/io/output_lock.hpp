#pragma once
// One run per output (docs/running.md, "One run per output: the lock"). OUT.lock, beside the
// result, names the run that owns OUT and the files around it (OUT.partial, OUT.checkpoint):
// host, pid (with the pid's start time, so a reused pid is not taken for the holder), Slurm job,
// start time and command line. It is made complete under a private name and hard-linked into
// place, which is atomic and exclusive on local file systems, NFSv3/v4 and Lustre: of two runs
// started together exactly one gets it, and the other reads a complete description of the
// holder. While the run lives, a thread refreshes the lock's modification time (the heartbeat);
// the lock is removed, only if it is still this run's, when the object is destroyed.
//
// A lock whose holder is gone is explained, never silently stolen: on the same host a dead pid
// (or a pid now used by another process, or a reboot) is taken over with a note; a requeued
// Slurm job takes over its own earlier incarnation's lock; a lock of another host is taken over
// only with --break-lock and a heartbeat older than `stale_after`.

#include "chiprace/core/diagnostic.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace chiprace::io {

/// The lock is held by a live run (or one that cannot be shown to be dead): the message names
/// the holder and what to do.
class LockRefused : public RuntimeFailure {
public:
    using RuntimeFailure::RuntimeFailure;
};

/// Who holds (or wants) a lock. Read from and written to OUT.lock as `key=value` lines.
struct LockHolder {
    std::string host;
    long pid = 0;
    std::string pid_start;     // /proc/<pid>/stat field 22: clock ticks after boot
    std::string boot_id;       // /proc/sys/kernel/random/boot_id: pid_start is valid within a boot
    std::string slurm_job;     // SLURM_JOB_ID, or ARRAY_JOB_ID_TASK_ID in a job array; may be empty
    std::string slurm_restart; // SLURM_RESTART_COUNT (a requeued job keeps its id)
    std::string started_utc;
    std::string command;
    std::string version;
    std::string token; // random: tells this run's lock from a later one at the same path

    /// This process, as a holder.
    static LockHolder current(const std::string& command, const std::string& version);
    /// "pid 4242 on host n17 (Slurm job 811), started 2026-12-04T09:41:07Z: chiprace run ..."
    [[nodiscard]] std::string description() const;
};

struct LockRequest {
    std::string command; // the holder's command line, for whoever is refused
    std::string version; // chiprace's
    bool break_lock = false;
};

class OutputLock {
public:
    /// A holder on another host is presumed dead only after this long without a heartbeat.
    static constexpr std::chrono::seconds stale_after{600};
    /// How often a live holder refreshes the lock.
    static constexpr std::chrono::seconds heartbeat_every{60};

    /// Takes the lock of `output` (the file `output`.lock). Throws LockRefused naming the holder
    /// when another run holds it, RuntimeFailure when it cannot be created; a stale lock taken
    /// over is explained in takeover_note().
    OutputLock(const std::string& output, const LockRequest& request);
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;
    /// Releases: stops the heartbeat and removes the lock if it is still this run's.
    ~OutputLock();

    [[nodiscard]] const std::string& path() const { return path_; }
    /// Empty, or why a stale lock was taken over (printed as a warning).
    [[nodiscard]] const std::string& takeover_note() const { return takeover_note_; }

private:
    void heartbeat_loop();

    std::string path_;
    LockHolder self_;
    std::string takeover_note_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread heartbeat_;
};

/// Parses the contents of a lock file; fields it lacks stay empty (pid 0).
LockHolder parse_lock_holder(const std::string& text);

} // namespace chiprace::io
