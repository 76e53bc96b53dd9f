#pragma once
// A user-facing error about an input, located as precisely as the input allows.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace chiprace {

/// One problem in an input file: "file:line:column: message". line/column are 0 when the
/// problem has no position (a missing file, a value given with --set).
struct Diagnostic {
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string message;

    [[nodiscard]] std::string to_string() const;
};

/// Thrown when an experiment cannot be used. Carries every problem found, not just the
/// first, so a user fixes a file in one pass.
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<Diagnostic> diagnostics);
    explicit ConfigError(Diagnostic diagnostic);
    [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

private:
    std::vector<Diagnostic> diagnostics_;
};

/// Collects diagnostics while validating, so that one pass reports all of them.
class DiagnosticList {
public:
    void add(Diagnostic d) { items_.push_back(std::move(d)); }
    void add(std::string file, std::uint32_t line, std::uint32_t column, std::string message) {
        items_.push_back({std::move(file), line, column, std::move(message)});
    }
    [[nodiscard]] bool empty() const { return items_.empty(); }
    [[nodiscard]] std::size_t size() const { return items_.size(); }
    /// Throws ConfigError if anything was collected.
    void throw_if_any() const;

private:
    std::vector<Diagnostic> items_;
};

/// A runtime failure that is not the user's input: I/O, MPI. Reported and aborts the run.
class RuntimeFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A RuntimeFailure that every rank of a run throws together, with the same message, from the
/// same collective call: no rank is left inside another collective call, and rank 0 alone
/// needs to report it.
class CollectiveFailure : public RuntimeFailure {
public:
    using RuntimeFailure::RuntimeFailure;
};

} // namespace chiprace
