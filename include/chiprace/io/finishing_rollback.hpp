#pragma once
// Taking back what an interrupted finishing phase wrote (docs/running.md, "Phases of a run").
//
// After the last round a run writes its summaries, contrasts and sensitivity results into
// OUT.partial. A fault among those writes (a second signal, a killed rank, a full disk) leaves
// some of them in the file; --resume takes them out again, so that the finishing phases write
// into the file exactly as an uninterrupted run does. Datasets attached to the file's
// dimension scales are detached first, so no scale keeps a reference to a deleted object.

#include "chiprace/io/result_layout.hpp"

#include <string>

namespace chiprace::io {

/// Rank 0, raw rows left as they are. Throws RuntimeFailure naming the file when it cannot be
/// opened (a damaged OUT.partial).
void roll_back_finishing(const std::string& path, const ResultLayout& layout);

} // namespace chiprace::io
