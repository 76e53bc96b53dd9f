#pragma once
// Loading model plug-ins: shared libraries built with chiprace_add_model() whose models join the
// registry (docs/writing-a-model.md). A plug-in is identified by its bytes (sha256), which the
// result file records with its path and version, so that --resume can refuse another build.

#include <stdexcept>
#include <string>
#include <vector>

namespace chiprace::config {

struct LoadedPlugin {
    std::string path;    // canonical
    std::string sha256;  // of the file's bytes
    std::string version; // the plug-in's own (chiprace_add_model VERSION)
    std::vector<std::string> models;
};

/// Why a plug-in cannot be loaded, in words a user can act on.
class PluginError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Loads the plug-in at `path` and registers its models, once per process: loading the same
/// file again returns the first load's record. Throws PluginError when the file is missing,
/// is not a chiprace plug-in, was built for another chiprace or C++ library ABI, defines an
/// invalid model or one already registered, or changed since this process loaded it.
const LoadedPlugin& load_model_plugin(const std::string& path);

} // namespace chiprace::config
