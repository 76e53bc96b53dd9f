// libFuzzer harness for the experiment loader (GitHub issue 8, item 4): arbitrary bytes as an
// experiment file plus --set overrides, through config::load_experiment.
//
// Input layout, as the command line gives it:
//
//     <experiment file bytes> [ \0 <--set argument> [ \0 <--set argument> ... ] ]
//
// The bytes before the first NUL are the experiment file; each NUL-separated chunk after it is
// one --set argument (at most max_overrides; the rest is ignored). A TOML file cannot contain a
// NUL, and an argv string cannot either, so the split loses nothing either side: a seed is an
// ordinary .toml file, and overrides can carry any byte a shell argument can (invalid UTF-8,
// newlines, '=' in values).
//
// Verdicts:
//   - load_experiment returns, or throws chiprace::ConfigError: expected; the input is fine.
//   - any other exception escapes (std::exception or not): a bug in the loader, which promises
//     every problem with an input as a located ConfigError. The harness prints the exception
//     type and what(), then calls std::abort(), so libFuzzer records the input as a crash
//     ("deadly signal") with the stack of the abort.
//   - an accepted experiment breaks what every run relies on next (a model, >= 1 sample, >= 1
//     parameter, a resolved configuration that serialises with dump() as run_plan_builder
//     does): a bug too, reported the same way.
//   - crashes, sanitizer reports (ASan, UBSan without recovery), leaks, > -timeout seconds
//     (hang) or > -rss_limit_mb (scripts/fuzz.sh: 10 s, 2048 MB): libFuzzer's own findings.
//
// Includes are sandboxed. At start-up the harness makes a scratch directory under $TMPDIR
// (scripts/fuzz.sh points it into build/fuzz) and fills it with the include targets of
// tests/fuzz/include_targets/ (plain files, no symlinks; among them a two-file include cycle and
// a subdirectory including its parent) plus experiments/priors/default.toml and
// experiments/policy_comparison.toml, so that the real experiment files work verbatim as seeds.
// The input is written there as fuzz.toml on every run. Before loading, the harness parses the
// input with the same toml++ parser and rejects (returns -1: not added to the corpus) any input
// whose experiment.include names an absolute path or has a '..' component; every other include
// resolves inside the scratch directory, so a fuzzed include can neither read files elsewhere
// nor recurse forever (fuzz.toml including itself, or the a.toml <-> b.toml cycle, is the
// loader's own "includes itself" error). Overrides cannot add includes (the loader refuses
// --set experiment.include, and includes are read before overrides apply).

#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <toml++/toml.h>
#include <typeinfo>
#include <unistd.h>
#include <vector>

#ifndef CHIPRACE_FUZZ_INCLUDE_TARGETS
#error "CHIPRACE_FUZZ_INCLUDE_TARGETS (tests/fuzz/include_targets) must be defined by the build"
#endif
#ifndef CHIPRACE_FUZZ_EXPERIMENTS
#error "CHIPRACE_FUZZ_EXPERIMENTS (experiments/) must be defined by the build"
#endif

namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_overrides = 8;

std::string sandbox;    // the scratch directory
std::string input_path; // sandbox/fuzz.toml

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "config_fuzzer: %s\n", message.c_str());
    std::fflush(stderr);
    std::abort();
}

void remove_sandbox() {
    std::error_code ec;
    if (!sandbox.empty())
        fs::remove_all(sandbox, ec);
}

/// Copies regular files only (recursively), so the sandbox holds no symlink leading out of it.
void copy_regular_files(const fs::path& from, const fs::path& to) {
    for (const auto& entry : fs::recursive_directory_iterator(from)) {
        const auto relative = fs::relative(entry.path(), from);
        if (entry.is_symlink())
            continue;
        if (entry.is_directory())
            fs::create_directories(to / relative);
        else if (entry.is_regular_file())
            fs::copy_file(entry.path(), to / relative, fs::copy_options::overwrite_existing);
    }
}

void make_sandbox() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/chiprace-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        die("cannot create a scratch directory from " + pattern + ": " + std::strerror(errno));
    sandbox = fs::weakly_canonical(pattern).string();
    std::atexit(remove_sandbox);
    try {
        copy_regular_files(CHIPRACE_FUZZ_INCLUDE_TARGETS, sandbox);
        const fs::path experiments = CHIPRACE_FUZZ_EXPERIMENTS;
        const fs::path box = sandbox;
        fs::create_directories(box / "priors");
        fs::copy_file(experiments / "priors" / "default.toml", box / "priors" / "default.toml",
                      fs::copy_options::overwrite_existing);
        fs::copy_file(experiments / "policy_comparison.toml", box / "policy_comparison.toml",
                      fs::copy_options::overwrite_existing);
    } catch (const std::exception& e) {
        die(std::string("cannot fill the scratch directory: ") + e.what());
    }
    input_path = sandbox + "/fuzz.toml";
}

/// True when an include entry stays inside the directory of the including file.
bool contained(std::string_view entry) {
    if (entry.find('\0') != std::string_view::npos)
        return false;
    const fs::path p(entry);
    if (p.has_root_name() || p.has_root_directory())
        return false;
    for (const auto& part : p)
        if (part == "..")
            return false;
    return true;
}

/// Mirrors load_documents: only [experiment] include = [ "..." ] makes the loader open files.
bool includes_are_contained(std::string_view text) {
    toml::table table;
    try {
        table = toml::parse(text, std::string_view("fuzz.toml"));
    } catch (const toml::parse_error&) {
        return true; // the loader stops at the same syntax error, before any include
    }
    const toml::node* exp = table.get("experiment");
    if (exp == nullptr || !exp->is_table())
        return true;
    const toml::node* inc = exp->as_table()->get("include");
    if (inc == nullptr || !inc->is_array())
        return true;
    for (const auto& el : *inc->as_array())
        if (const auto* name = el.as_string(); name != nullptr && !contained(name->get()))
            return false;
    return true;
}

void write_input(const char* data, std::size_t size) {
    const int fd = ::open(input_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die("cannot write " + input_path + ": " + std::strerror(errno));
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("cannot write " + input_path + ": " + std::strerror(errno));
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    ::close(fd);
}

std::string type_name(const std::type_info& type) {
    int status = 0;
    char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    std::string out = status == 0 && demangled ? demangled : type.name();
    std::free(demangled);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_sandbox();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto nul = all.find('\0');
    const std::string_view text = all.substr(0, nul);
    std::vector<std::string> overrides;
    if (nul != std::string_view::npos) {
        std::string_view rest = all.substr(nul + 1);
        while (overrides.size() < max_overrides) {
            const auto end = rest.find('\0');
            overrides.emplace_back(rest.substr(0, end));
            if (end == std::string_view::npos)
                break;
            rest = rest.substr(end + 1);
        }
    }
    if (!includes_are_contained(text))
        return -1; // would read outside the sandbox: keep it out of the corpus

    write_input(text.data(), text.size());
    chiprace::config::Experiment ex;
    try {
        ex = chiprace::config::load_experiment(input_path, overrides);
    } catch (const chiprace::ConfigError&) {
        return 0; // the expected outcome for almost every input: diagnostics for the user
    } catch (const std::exception& e) {
        die("an exception other than ConfigError escaped load_experiment: " + type_name(typeid(e)) +
            ": " + e.what());
    } catch (...) {
        const auto* type = abi::__cxa_current_exception_type();
        die("a non-std exception escaped load_experiment: " +
            (type ? type_name(*type) : std::string("(unknown type)")));
    }

    // Accepted: what every run relies on next.
    if (ex.model == nullptr)
        die("load_experiment accepted an experiment without a model");
    if (ex.samples < 1 || ex.block_size < 1)
        die("load_experiment accepted samples = " + std::to_string(ex.samples) +
            ", block_size = " + std::to_string(ex.block_size));
    if (ex.parameters.dimension() < 1)
        die("load_experiment accepted an experiment without parameters");
    try {
        // run_plan_builder stores this as /config_resolved; nlohmann::json throws type_error
        // 316 for a string that is not UTF-8.
        (void)ex.resolved.dump(2);
    } catch (const std::exception& e) {
        die("the resolved configuration of an accepted experiment does not serialise: " +
            type_name(typeid(e)) + ": " + e.what());
    }
    return 0;
}
