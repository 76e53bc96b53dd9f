#pragma once
// Test helper: load an experiment given as text, as the loader reads files.

#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace chiprace::testing {

/// Writes text to a scratch file, loads it with the overrides, removes the file.
inline config::Experiment load_experiment_text(const std::string& text,
                                               const std::vector<std::string>& overrides = {}) {
    static int counter = 0;
    const auto path =
        std::filesystem::temp_directory_path() /
        ("chiprace-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".toml");
    std::ofstream(path) << text;
    struct Remove {
        std::filesystem::path p;
        ~Remove() { std::filesystem::remove(p); }
    } remove{path};
    return config::load_experiment(path.string(), overrides);
}

/// The diagnostics of loading text; empty when it loads.
inline std::vector<Diagnostic> config_errors(const std::string& text,
                                             const std::vector<std::string>& overrides = {}) {
    try {
        (void)load_experiment_text(text, overrides);
    } catch (const ConfigError& e) {
        return e.diagnostics();
    }
    return {};
}

inline bool mentions(const std::vector<Diagnostic>& ds, const std::string& needle) {
    for (const auto& d : ds)
        if (d.to_string().find(needle) != std::string::npos)
            return true;
    return false;
}

} // namespace chiprace::testing
