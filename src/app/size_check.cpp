#include "chiprace/app/size_check.hpp"

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
    if (c.limit && need > c.limit->bytes) {
        const auto& big = c.estimate.dominant();
        c.memory_problem =
            "the run needs up to " + format_bytes(need) + " of memory per rank (" +
            std::to_string(ranks) + " rank(s) x " + std::to_string(threads) +
            " thread(s), worst case) but a rank may use " + format_bytes(c.limit->bytes) + " (" +
            c.limit->source + "). Most of it is " + big.what + ": " + format_bytes(big.bytes) +
            (big.setting.empty() ? "" : "; it grows with " + big.setting) +
            ". Change that, or pass --ignore-size-check to run anyway (it may then run out of "
            "memory); see docs/running.md, \"Memory and disk\"";
    }
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
    s << "memory per rank: up to " << format_bytes(estimate.memory_bytes()) << " (" << ranks
      << " rank(s) x " << threads << " thread(s), worst case";
    if (limit)
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
