#pragma once
// SHA-256 (FIPS 180-4) of a file, as lowercase hex: what provenance records of a plug-in, so
// that a result names the exact code that computed it and a resume refuses any other.

#include <string>

namespace chiprace {

/// The hex digest of the file's bytes; throws std::runtime_error when it cannot be read.
std::string sha256_of_file(const std::string& path);

/// The hex digest of a byte string (tests check it against FIPS 180-4's examples).
std::string sha256_of_bytes(const std::string& bytes);

} // namespace chiprace
