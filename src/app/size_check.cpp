#include "chiprace/app/size_check.hpp"

#include <algorithm>
#include <sstream>

namespace chiprace::app {

using parallel::format_bytes;

SizeCheck check_run_size(const parallel::RunPlan& plan, int ranks, int threads, int ranks_on_node,
                         std::optional<double> max_memory_bytes, double existing_bytes) {
    SizeCheck c;
    c.ranks = ranks;
    c.threads = threads;
    c.estimate = parallel::estimate_run_size(plan, ranks, threads);
    c.limit = max_memory_bytes
                  ? std::optional<MemoryLimit>(MemoryLimit{*max_memory_bytes, "--max-memory"})
                  : rank_memory_limit(ranks_on_node);
    const double need = c.estimate.memory_bytes();
    // Ranks that share a node's memory share it unevenly: rank 0 holds what it gathers, the
    // others do not. The node's ranks fit when rank 0 and the rest fit together.
    const int sharing = c.limit ? std::max(1, c.limit->shared_by) : 1;
    const double others = c.estimate.other_rank_bytes();
    const double node_need = need + (sharing - 1) * others;
    const auto& big = c.estimate.dominant();
    const std::string remedy =
        "Most of it is " + big.what + ": " + format_bytes(big.bytes) +
        (big.setting.empty() ? "" : "; it grows with " + big.setting) +
        ". Change that, or pass --ignore-size-check to run anyway (it may then run out of "
        "memory); see docs/running.md, \"Memory and disk\"";
    const std::string cut =
        std::to_string(ranks) + " rank(s) x " + std::to_string(threads) + " thread(s), worst case";
    if (c.limit && sharing > 1 && node_need > c.limit->bytes * sharing)
        c.memory_problem =
            "the run needs up to " + format_bytes(need) + " of memory on rank 0 and " +
            format_bytes(others) + " on each other rank (" + cut + "), " + format_bytes(node_need) +
            " for the " + std::to_string(sharing) + " ranks on this node, but they may use " +
            format_bytes(c.limit->bytes * sharing) + " together (" + c.limit->source + "). " +
            remedy;
    else if (c.limit && sharing == 1 && need > c.limit->bytes)
        c.memory_problem = "the run needs up to " + format_bytes(need) + " of memory per rank (" +
                           cut + ") but a rank may use " + format_bytes(c.limit->bytes) + " (" +
                           c.limit->source + "). " + remedy;
    c.free_bytes = free_bytes_at(plan.output_path);
    const double file = std::max(0.0, c.estimate.output_bytes - existing_bytes);
    if (c.free_bytes && file > *c.free_bytes)
        c.disk_problem = "the result file " + plan.output_path + " needs about " +
                         format_bytes(c.estimate.output_bytes) + " (" + c.estimate.output_what +
                         ") but its file system has " + format_bytes(*c.free_bytes) +
                         " free. Free space, choose another -o, store summaries only "
                         "(output.store = \"summary\") or fewer samples, or pass "
                         "--ignore-size-check to run anyway";
    else if (c.free_bytes && file > 0.8 * *c.free_bytes)
        c.disk_warning = "the result file " + plan.output_path + " needs about " +
                         format_bytes(c.estimate.output_bytes) + ", most of the " +
                         format_bytes(*c.free_bytes) + " free on its file system";
    return c;
}

std::string SizeCheck::report() const {
    std::ostringstream s;
    s << "memory per rank: up to " << format_bytes(estimate.memory_bytes());
    if (ranks > 1)
        s << " on rank 0, " << format_bytes(estimate.other_rank_bytes()) << " on each other";
    s << " (" << ranks << " rank(s) x " << threads << " thread(s), worst case";
    if (limit && limit->shared_by > 1)
        s << "; the " << limit->shared_by << " ranks on this node may use "
          << format_bytes(limit->bytes * limit->shared_by) << " together: " << limit->source;
    else if (limit)
        s << "; a rank may use " << format_bytes(limit->bytes) << ": " << limit->source;
    s << ")\n";
    for (const auto& t : estimate.memory)
        s << "  " << format_bytes(t.bytes) << "  " << t.what << "\n";
    s << "result file: about " << format_bytes(estimate.output_bytes) << " ("
      << estimate.output_what << ")";
    if (free_bytes)
        s << "; " << format_bytes(*free_bytes) << " free where it goes";
    s << "\n";
    return s.str();
}

} // namespace chiprace::app
