#include "fuzz_input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <system_error>
#include <toml++/toml.h>
#include <unistd.h>

#ifndef CHIPRACE_FUZZ_INCLUDE_TARGETS
#error "CHIPRACE_FUZZ_INCLUDE_TARGETS (tests/fuzz/include_targets) must be defined by the build"
#endif
#ifndef CHIPRACE_FUZZ_EXPERIMENTS
#error "CHIPRACE_FUZZ_EXPERIMENTS (experiments/) must be defined by the build"
#endif

namespace chiprace::fuzz {

namespace fs = std::filesystem;

namespace {

std::string harness = "fuzzer";
std::string sandbox;    // the scratch directory
std::string input_file; // sandbox/fuzz.toml

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

} // namespace

FuzzInput split_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto nul = all.find('\0');
    FuzzInput in{all.substr(0, nul), {}};
    if (nul != std::string_view::npos) {
        std::string_view rest = all.substr(nul + 1);
        while (in.overrides.size() < max_overrides) {
            const auto end = rest.find('\0');
            in.overrides.emplace_back(rest.substr(0, end));
            if (end == std::string_view::npos)
                break;
            rest = rest.substr(end + 1);
        }
    }
    return in;
}

void set_harness_name(std::string name) {
    harness = std::move(name);
}

void die(const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", harness.c_str(), message.c_str());
    std::fflush(stderr);
    std::abort();
}

const std::string& make_sandbox() {
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
    input_file = sandbox + "/fuzz.toml";
    return sandbox;
}

const std::string& input_path() {
    return input_file;
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

void write_input(std::string_view text) {
    const int fd = ::open(input_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die("cannot write " + input_file + ": " + std::strerror(errno));
    const char* data = text.data();
    std::size_t size = text.size();
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("cannot write " + input_file + ": " + std::strerror(errno));
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

std::string current_exception_type() {
    const auto* type = abi::__cxa_current_exception_type();
    return type ? type_name(*type) : std::string("(unknown type)");
}

} // namespace chiprace::fuzz
