#pragma once
// The checkpoint ledger of an unfinished run (docs/file-format.md, "Checkpoint"): which blocks
// are done, and the merged state of their accumulators, so that `chiprace run --resume`
// continues where the run stopped and ends with the same file an uninterrupted run writes.
//
// It lives next to the results, in OUT.checkpoint, not inside OUT.partial: HDF5 cannot update
// a file atomically, and a kill -9 in the middle of rewriting a ledger inside the results file
// could leave both unreadable. A new ledger is written to OUT.checkpoint.tmp, flushed to disk
// and renamed over the old one, so at any moment one complete ledger exists. A checksum over
// its contents detects a damaged or truncated file, which is reported, never used.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace chiprace::io {

/// 2: compact sketches (varint counts, LogHistogram::serialize) and a word-wise checksum.
/// 3: each reduction piece ends with its event counts ([output] events). A format-2 ledger is
/// read as one without events (its pieces end before them).
inline constexpr std::int64_t checkpoint_format_version = 3;
inline constexpr std::int64_t checkpoint_oldest_readable_version = 2;

struct Checkpoint {
    std::string config_resolved;  // the experiment as resolved (JSON, without run-only fields)
    std::string software_version; // chiprace's, e.g. "0.1.0"
    std::uint64_t seed = 0, block_size = 0, runs = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> done; // block ranges [first, end)
    std::vector<double> pieces;          // reduction pieces of the done blocks (runner's packing)
    std::vector<std::uint64_t> sketches; // quantile sketches of the done blocks (serialized)
    std::string written_utc;
};

/// Atomically replaces path with the ledger (via path + ".tmp", fsync, rename).
void write_checkpoint(const std::string& path, const Checkpoint& c);

/// Throws RuntimeFailure naming the path when it is missing, not a ledger, of another format
/// version, or damaged (checksum mismatch, truncated).
Checkpoint read_checkpoint(const std::string& path);

} // namespace chiprace::io
