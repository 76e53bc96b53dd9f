#include "chiprace/core/diagnostic.hpp"

namespace chiprace {

std::string Diagnostic::to_string() const {
    std::string out = file.empty() ? std::string("<command line>") : file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0)
            out += ':' + std::to_string(column);
    }
    out += ": ";
    out += message;
    return out;
}

namespace {
std::string join(const std::vector<Diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) {
        if (!out.empty())
            out += '\n';
        out += d.to_string();
    }
    return out;
}
} // namespace

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}

ConfigError::ConfigError(Diagnostic diagnostic)
    : ConfigError(std::vector<Diagnostic>{std::move(diagnostic)}) {}

void DiagnosticList::throw_if_any() const {
    if (!items_.empty())
        throw ConfigError(items_);
}

} // namespace chiprace
