#pragma once
// `chiprace analyze FILE`: rank correlations (Spearman, SRRC, PRCC) of every input with the
// stored per-sample outputs, a second pass over a finished raw result file, written back into
// it (docs/analyze.md). Rank 0 alone; other ranks return at once.

#include "chiprace/parallel/mpi_session.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace chiprace::app {

struct AnalyzeArguments {
    std::string file;
    std::vector<std::string> outputs; // empty: every output
    std::vector<int> years;           // empty: every year of /time
    bool debug = false;
    bool quiet = false;
};

/// Registers the subcommand on app; args is filled when it is parsed.
CLI::App* add_analyze_command(CLI::App& app, AnalyzeArguments& args);

int command_analyze(const AnalyzeArguments& args, const std::string& command_line,
                    const parallel::MpiSession& mpi);

/// For `chiprace info`: one line when FILE holds rank correlations, nothing otherwise.
void print_rank_correlation_note(const std::string& path, std::ostream& out);

} // namespace chiprace::app
