#include "chiprace/config/model_plugin.hpp"

#include "chiprace/core/sha256.hpp"
#include "chiprace/model/model_registry.hpp"
#include "chiprace/model/plugin.hpp"

#include <dlfcn.h>
#include <filesystem>
#include <list>

namespace chiprace::config {

namespace {

namespace fs = std::filesystem;

// A loaded plug-in is never unloaded: the registry's definitions (their std::function targets)
// and every model built from them run the plug-in's code until the process ends.
struct PluginRecord {
    LoadedPlugin info;
    void* handle = nullptr; // from dlopen; deliberately never passed to dlclose
};

std::list<PluginRecord>& loaded_plugins() {
    static std::list<PluginRecord> plugins; // a list: records keep their address
    return plugins;
}

template <typename Function>
Function entry_point(void* handle, const char* name, const std::string& path) {
    void* symbol = dlsym(handle, name);
    if (symbol == nullptr)
        throw PluginError(path + " is not a chiprace model plug-in (it has no " +
                          std::string(name) +
                          "; a plug-in's source ends with CHIPRACE_PLUGIN(...), "
                          "docs/writing-a-model.md)");
    return reinterpret_cast<Function>(symbol);
}

} // namespace

const LoadedPlugin& load_model_plugin(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw PluginError("plug-in '" + path + "' does not exist (or is not a file)");
    const std::string canonical = fs::canonical(path, ec).string();
    std::string digest;
    try {
        digest = sha256_of_file(canonical);
    } catch (const std::runtime_error& e) {
        throw PluginError(std::string("plug-in ") + e.what());
    }
    for (const auto& record : loaded_plugins())
        if (record.info.path == canonical) {
            if (record.info.sha256 != digest)
                throw PluginError("plug-in " + canonical +
                                  " changed since this process loaded it (rebuilt?)");
            return record.info;
        }

    void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = dlerror();
        throw PluginError("cannot load plug-in " + canonical + ": " +
                          (why != nullptr ? why : "unknown reason"));
    }
    // Checked in this order, before any C++ object crosses: a plug-in of another ABI may lay
    // out std::string or ModelDefinition differently.
    const auto abi = entry_point<int (*)()>(handle, "chiprace_plugin_abi", canonical)();
    if (abi != model::plugin_abi)
        throw PluginError("plug-in " + canonical + " was built for plug-in interface " +
                          std::to_string(abi) + ", this chiprace has " +
                          std::to_string(model::plugin_abi) + ": rebuild it against this chiprace");
    const std::string built_with =
        entry_point<const char* (*)()>(handle, "chiprace_plugin_build", canonical)();
    if (built_with != model::plugin_build_tag())
        throw PluginError("plug-in " + canonical + " was built with " + built_with + "; this is " +
                          model::plugin_build_tag() +
                          ": rebuild it against this chiprace (chiprace_add_model)");
    const std::string version =
        entry_point<const char* (*)()>(handle, "chiprace_plugin_version", canonical)();
    std::vector<model::ModelDefinition> definitions;
    entry_point<void (*)(std::vector<model::ModelDefinition>*)>(handle, "chiprace_plugin_models",
                                                                canonical)(&definitions);
    if (definitions.empty())
        throw PluginError("plug-in " + canonical + " defines no model");
    PluginRecord record{{canonical, digest, version, {}}, handle};
    auto& registry = model::model_registry();
    // Every definition is checked before any is added: a plug-in registers all or nothing.
    for (const auto& d : definitions) {
        if (const auto problem = model::definition_problem(d); !problem.empty())
            throw PluginError("plug-in " + canonical + ": " + problem);
        if (const auto* existing = registry.find(d.name))
            throw PluginError("plug-in " + canonical + " defines model '" + d.name + "', which " +
                              existing->origin + " already defines");
    }
    for (auto& d : definitions) {
        record.info.models.push_back(d.name);
        registry.add(std::move(d), canonical);
    }
    loaded_plugins().push_back(std::move(record));
    return loaded_plugins().back().info;
}

} // namespace chiprace::config
