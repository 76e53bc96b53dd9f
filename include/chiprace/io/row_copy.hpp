#pragma once
// Copying per-sample rows between result files of the same layout: `chiprace merge` gathers
// the rows of each part file into the merged result, bytes unchanged (float32 stays float32).

#include "chiprace/io/result_layout.hpp"

#include <cstdint>
#include <string>

namespace chiprace::io {

/// Rows [first, end) of every per-sample dataset (/inputs/*, every group's outputs) from one
/// file into another, both laid out by `layout`. Serial; the files must not be open elsewhere.
void copy_rows(const std::string& from, const std::string& to, const ResultLayout& layout,
               std::uint64_t first, std::uint64_t end);

} // namespace chiprace::io
