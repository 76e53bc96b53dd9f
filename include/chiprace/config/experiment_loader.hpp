#pragma once
// Reads an experiment file (TOML, schema version 1; docs/config.md), follows its includes,
// applies --set overrides, validates everything and builds the model. Every problem found is
// reported at once, located at file:line:column, as a ConfigError.

#include "chiprace/config/experiment.hpp"

#include <string>
#include <vector>

namespace chiprace::config {

/// overrides: "KEY.PATH=VALUE" strings; VALUE is read as a TOML value, or else as a string.
/// plugins: model plug-ins to load besides those of [experiment] plugins (--plugin), paths
/// relative to the working directory.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides = {},
                           const std::vector<std::string>& plugins = {});

} // namespace chiprace::config
