#pragma once
// What a run will need before it starts (issue 14: nothing that validates may fail for a size
// reason after the compute): the memory of each rank, from the bounded worst case of every
// structure the runner holds, and the size of the result file. docs/running.md ("Memory and
// disk") states the model term by term.

#include "chiprace/parallel/runner.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chiprace::parallel {

struct RunSizeEstimate {
    /// One term of a rank's memory: what holds it, its bytes, and the setting that scales it.
    struct Term {
        std::string what;
        double bytes = 0.0;
        std::string setting;
        /// What each other rank holds of it (rank 0 alone gathers and receives); negative:
        /// the same as rank 0.
        double other_bytes = -1.0;
        [[nodiscard]] double other() const { return other_bytes < 0.0 ? bytes : other_bytes; }
    };
    std::vector<Term> memory; // rank 0's terms (the largest rank: it gathers the others')
    double output_bytes = 0.0;
    std::string output_what; // "summaries", or "raw rows and summaries"

    /// Rank 0's memory, every term.
    [[nodiscard]] double memory_bytes() const;
    /// Any other rank's memory.
    [[nodiscard]] double other_rank_bytes() const;
    /// The largest term.
    [[nodiscard]] const Term& dominant() const;
};

/// The estimate for `plan` on `ranks` ranks of `threads` threads each; no MPI call.
RunSizeEstimate estimate_run_size(const RunPlan& plan, int ranks, int threads);

/// "1.5 GiB", "640 MiB", "12 KiB": for messages.
std::string format_bytes(double bytes);

} // namespace chiprace::parallel
