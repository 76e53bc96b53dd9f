#pragma once
// Asking the file system, before a run starts, whether it will let the result file grow to the
// size its raw rows need: ext4 stops at 16 TiB, and HDF5 learns that only when it first
// closes the file, where it cannot be reported cleanly.

#include <cstdint>
#include <string>

namespace chiprace::io {

/// Creates `path` as a sparse file of `bytes` (no blocks are written) and removes it again;
/// throws RuntimeFailure with the size and the system's reason when the file system refuses
/// (the caller names the path). `path` must be a file the caller is about to create anyway.
void probe_file_size(const std::string& path, long double bytes);

} // namespace chiprace::io
