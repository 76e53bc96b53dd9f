#pragma once
// `chiprace models [NAME] [--plugin FILE]`: the registered models (built-in and plug-ins'), and
// one model's schema (its settings, parameters, levers and outputs) as the loader checks it.

#include "chiprace/parallel/mpi_session.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace chiprace::app {

struct ModelsArguments {
    std::string name; // empty: list every model
    std::vector<std::string> plugins;
};

CLI::App* add_models_command(CLI::App& app, ModelsArguments& args);

/// Prints on rank 0; exit code 2 for an unknown model or a plug-in that does not load.
int command_models(const ModelsArguments& args, const parallel::MpiSession& mpi);

/// What command_models prints for one model (tests read it).
void print_model_schema(const std::string& name, std::ostream& out);

} // namespace chiprace::app
