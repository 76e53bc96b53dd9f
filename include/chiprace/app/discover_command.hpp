#pragma once
// `chiprace discover FILE --case EXPR`: scenario discovery on a raw result file with PRIM and a
// CART summary (docs/discover.md), on any number of ranks (each reads and holds its range of the
// rows), written back into the file under /discovery/<name> by rank 0.

#include "chiprace/parallel/mpi_session.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace chiprace::app {

struct DiscoverArguments {
    std::string file;
    std::string case_expression;
    std::string policy;
    std::string name; // empty: the first free "boxN"
    std::vector<std::string> inputs;
    double peel_alpha = 0.05;
    double paste_alpha = 0.05;
    double mass_min = 0.05;
    double threshold = 0.8;
    long box = -1; // -1: by threshold
    std::size_t cart_depth = 3;
    std::uint64_t chunk_rows = 1 << 16;
    bool overwrite = false;
    bool debug = false;
    bool quiet = false;
};

CLI::App* add_discover_command(CLI::App& app, DiscoverArguments& args);

int command_discover(const DiscoverArguments& args, const std::string& command_line,
                     const parallel::MpiSession& mpi);

/// For `chiprace info`: one line when FILE holds discovery results, nothing otherwise.
void print_discovery_note(const std::string& path, std::ostream& out);

} // namespace chiprace::app
