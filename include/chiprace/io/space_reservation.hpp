#pragma once
// Room on the file system for a write that must not stop halfway. HDF5 files are not crash
// consistent: when the disk fills while HDF5 adds objects to a file, it has already rewritten
// the links to them in place, and the file can no longer be opened. Reserving the room first
// turns a full disk into a failure before anything in the file changed.

#include <cstdint>
#include <string>

namespace chiprace::io {

/// Allocates `bytes` of real blocks past the end of the existing file `path` (posix_fallocate),
/// where HDF5 puts what it adds next; HDF5 gives the unused part back when it closes the file
/// (it truncates the file to its end of allocation). Throws RuntimeFailure naming the file
/// system and the room asked for when there is not enough (ENOSPC, EDQUOT); the file is left as
/// it was. A file system that cannot preallocate is not an error: the write goes ahead
/// unprotected.
void reserve_space(const std::string& path, std::uint64_t bytes, const std::string& purpose);

} // namespace chiprace::io
