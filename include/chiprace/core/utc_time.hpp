#pragma once
// Timestamps written into result files: UTC, ISO 8601, to the second.

#include <string>

namespace chiprace {

/// "2026-11-29T12:00:00Z"
std::string utc_now_iso8601();

} // namespace chiprace
