#include "chiprace/app/models_command.hpp"

#include "chiprace/config/model_plugin.hpp"
#include "chiprace/config/toml_diagnostics.hpp"
#include "chiprace/core/exit_code.hpp"
#include "chiprace/model/model_registry.hpp"

#include <CLI/CLI.hpp>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace chiprace::app {

namespace {

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

const char* kind_name(model::SettingSpec::Kind kind) {
    switch (kind) {
    case model::SettingSpec::Kind::number:
        return "number";
    case model::SettingSpec::Kind::integer:
        return "integer";
    case model::SettingSpec::Kind::numbers:
        return "array of numbers";
    }
    return "";
}

} // namespace

CLI::App* add_models_command(CLI::App& app, ModelsArguments& args) {
    auto* models = app.add_subcommand(
        "models", "List the models an experiment can name (built-in, and those of --plugin); "
                  "with NAME, the model's settings, parameters, levers and outputs as "
                  "experiment files are checked against them");
    models->add_option("name", args.name, "A model's name");
    models->add_option("--plugin", args.plugins, "Load a model plug-in first (repeatable)")
        ->type_name("FILE");
    return models;
}

void print_model_schema(const std::string& name, std::ostream& out) {
    const auto* registered = model::model_registry().find(name);
    if (registered == nullptr)
        return;
    const auto& d = *registered->definition;
    out << "model        " << d.name << " (version " << d.version << ", " << registered->origin
        << ")\n";
    if (!d.description.empty())
        out << "             " << d.description << "\n";
    if (!d.default_priors.empty())
        out << "priors       " << d.default_priors << "\n";
    if (!d.headline_outputs.empty()) {
        out << "headline     ";
        for (std::size_t i = 0; i < d.headline_outputs.size(); ++i)
            out << (i ? ", " : "") << d.headline_outputs[i];
        for (std::size_t i = 0; i < d.headline_years.size(); ++i)
            out << (i ? ", " : " in ") << d.headline_years[i];
        out << " (chiprace info)\n";
    }
    out << "\n[model] settings:\n";
    if (d.settings.empty())
        out << "  (none)\n";
    for (const auto& s : d.settings) {
        out << "  " << std::left << std::setw(26) << s.name << std::right << kind_name(s.kind)
            << ", " << s.range.what;
        if (s.required)
            out << ", required";
        else if (s.kind == model::SettingSpec::Kind::numbers) {
            out << ", default [";
            for (std::size_t i = 0; i < s.default_numbers.size(); ++i)
                out << (i ? ", " : "") << number(s.default_numbers[i]);
            out << "]";
        } else
            out << ", default " << number(s.default_number);
        out << (s.description.empty() ? "" : ": " + s.description) << "\n";
    }
    out << "\n[parameters]:\n";
    if (d.inputs == model::ModelDefinition::Inputs::positional)
        out << "  any names: every parameter is an input, in the order written\n";
    for (const auto& p : d.parameters) {
        out << "  " << std::left << std::setw(26) << p.name << std::right << p.range.what;
        if (!p.required)
            out << ", optional (neutral " << number(p.neutral) << ")";
        if (!p.units.empty())
            out << ", " << p.units;
        out << (p.description.empty() ? "" : ": " + p.description) << "\n";
    }
    if (!d.levers.empty()) {
        out << "\n[policies.<name>] levers (a number, inf where allowed, or a year-step table):\n";
        for (const auto& l : d.levers) {
            out << "  " << std::left << std::setw(26) << l.name << std::right << l.range.what;
            if (!l.required)
                out << ", optional (neutral " << number(l.neutral) << ")";
            out << (l.description.empty() ? "" : ": " + l.description) << "\n";
        }
    }
    out << "\noutputs:\n";
    for (const auto& o : d.outputs)
        out << "  " << std::left << std::setw(26) << o.name << std::right
            << (o.per_year ? "per year" : "scalar  ") << "  " << o.units
            << (o.description.empty() ? "" : ": " + o.description) << "\n";
}

int command_models(const ModelsArguments& args, const parallel::MpiSession& mpi) {
    const bool root = mpi.is_root();
    for (const auto& p : args.plugins) {
        try {
            (void)config::load_model_plugin(p);
        } catch (const config::PluginError& e) {
            if (root)
                std::cerr << "chiprace: error: --plugin " << p << ": " << e.what() << "\n";
            return exit_code::bad_input;
        }
    }
    const auto& registry = model::model_registry();
    if (args.name.empty()) {
        if (root)
            for (const auto& m : registry.models())
                std::cout << std::left << std::setw(16) << m.definition->name << std::right
                          << "version " << m.definition->version << "  " << m.origin << "\n"
                          << std::setw(16) << "" << m.definition->description << "\n";
        return exit_code::success;
    }
    if (registry.find(args.name) == nullptr) {
        if (root) {
            std::vector<std::string_view> names;
            for (const auto& m : registry.models())
                names.push_back(m.definition->name);
            std::cerr << "chiprace: error: unknown model '" << args.name << "'";
            if (const auto guess = config::closest_match(args.name, names))
                std::cerr << "; did you mean '" << *guess << "'?";
            std::cerr << " (chiprace models lists them)\n";
        }
        return exit_code::bad_input;
    }
    if (root)
        print_model_schema(args.name, std::cout);
    return exit_code::success;
}

} // namespace chiprace::app
