#pragma once
// The pre-flight check of `chiprace run` and `chiprace validate` (docs/running.md, "Memory and
// disk"): the run's estimated memory per rank against what the rank may use, and the result
// file's estimated size against the free space of its file system, before anything is
// computed or created.

#include "chiprace/core/memory_limit.hpp"
#include "chiprace/parallel/run_size_estimate.hpp"

#include <optional>
#include <string>

namespace chiprace::app {

struct SizeCheck {
    parallel::RunSizeEstimate estimate;
    int ranks = 1, threads = 1;
    std::optional<MemoryLimit> limit; // per rank
    std::optional<double> free_bytes; // on the output's file system
    std::string memory_problem;       // why the run cannot fit in memory; empty when it fits
    std::string disk_problem;         // why the result cannot fit on disk; empty when it fits
    std::string disk_warning;         // it fits, barely

    /// What `validate` prints: the estimate, the limits and what dominates.
    [[nodiscard]] std::string report() const;
};

/// `max_memory_bytes` (--max-memory) replaces the limit found on the node; `existing_bytes`
/// is what the output already holds (a resumed OUT.partial), not needed again.
SizeCheck check_run_size(const parallel::RunPlan& plan, int ranks, int threads, int ranks_on_node,
                         std::optional<double> max_memory_bytes, double existing_bytes = 0.0);

} // namespace chiprace::app
