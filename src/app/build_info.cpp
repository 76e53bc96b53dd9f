#include "chiprace/app/build_info.hpp"

#include "chiprace/git_revision.hpp"
#include "chiprace/parallel/mpi_session.hpp"
#include "chiprace/version.hpp"

#include <boost/version.hpp>
#include <hdf5.h>
#include <toml++/toml.h>

namespace chiprace::app {

BuildInfo build_info() {
    BuildInfo b;
    b.version = build::version;
    b.git_revision = build::git_revision;
    b.git_dirty = build::git_dirty;
    b.compiler = build::compiler;
    b.build_type = build::build_type;
    b.mpi_library = parallel::mpi_library_version();
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    b.hdf5_library = std::to_string(major) + "." + std::to_string(minor) + "." +
                     std::to_string(release) + " (parallel)";
    b.boost = std::to_string(BOOST_VERSION / 100000) + "." +
              std::to_string(BOOST_VERSION / 100 % 1000) + "." +
              std::to_string(BOOST_VERSION % 100);
    b.tomlplusplus = std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
                     std::to_string(TOML_LIB_PATCH);
    return b;
}

std::string revision_label(const BuildInfo& info) {
    return info.git_revision + (info.git_dirty ? "-dirty" : "");
}

} // namespace chiprace::app
