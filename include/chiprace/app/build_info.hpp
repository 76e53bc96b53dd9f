#pragma once
// Versions of chiprace and of every library it runs with: printed by --version and written
// into each result file.

#include <string>

namespace chiprace::app {

struct BuildInfo {
    std::string version;
    std::string git_revision;
    bool git_dirty = false;
    std::string compiler;
    std::string build_type;
    std::string mpi_library;
    std::string hdf5_library;
    std::string boost;
    std::string tomlplusplus;
};

BuildInfo build_info();
/// The revision with "-dirty" appended when the tree had uncommitted changes.
std::string revision_label(const BuildInfo& info);

} // namespace chiprace::app
