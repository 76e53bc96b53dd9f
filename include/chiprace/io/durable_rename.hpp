#pragma once
// Replacing a file so that a crash at any moment leaves either the old or the new one: the new
// data are flushed before the rename, and the directory after it (a rename is durable only once
// its directory is).

#include <string>

namespace chiprace::io {

/// fsync(2) of a file, or of a directory; throws RuntimeFailure naming the path.
void flush_to_disk(const std::string& path, bool directory = false);

/// Flushes `from`, renames it to `to` (replacing it) and flushes the directory of `to`.
void durable_rename(const std::string& from, const std::string& to);

} // namespace chiprace::io
