#pragma once
// How much memory one rank of a run may use, as the node and the job say: the control
// group's limit (memory.max, or cgroup v1's memory.limit_in_bytes), Slurm's allocation
// (SLURM_MEM_PER_CPU, SLURM_MEM_PER_NODE) and the kernel's MemAvailable. Limits of the node
// or the job step are shared by the ranks on the node.

#include <cstdint>
#include <optional>
#include <string>

namespace chiprace {

struct MemoryLimit {
    double bytes = 0.0;
    std::string source; // "MemAvailable (21.9 GiB) shared by 2 ranks on this node"
    /// Ranks that share the limit (a node's or a job step's memory): bytes × shared_by is what
    /// they may use together. 1 for a limit of each rank's own (SLURM_MEM_PER_CPU).
    int shared_by = 1;
};

/// The smallest of the limits found, per rank, or nothing when none is known.
std::optional<MemoryLimit> rank_memory_limit(int ranks_on_node);

/// Ranks on this node from the launcher's environment (Open MPI, MPICH, Slurm), for commands
/// that run without asking MPI; 1 when none says.
int ranks_on_node_from_environment();

/// Free bytes for an unprivileged writer on the file system holding `path` (its nearest
/// existing ancestor), or nothing when statvfs fails.
std::optional<double> free_bytes_at(const std::string& path);

} // namespace chiprace
