#pragma once
// What the two libFuzzer harnesses share (config_fuzzer: the experiment loader; run_fuzzer:
// small whole runs): the input layout, the include sandbox and the way a finding is reported.
//
// Input layout, as the command line gives it:
//
//     <experiment file bytes> [ \0 <--set argument> [ \0 <--set argument> ... ] ]
//
// The bytes before the first NUL are the experiment file; each NUL-separated chunk after it is
// one --set argument (at most max_overrides; the rest is ignored). A TOML file cannot contain a
// NUL, and an argv string cannot either, so the split loses nothing either side.
//
// The sandbox: a scratch directory under $TMPDIR holding copies of tests/fuzz/include_targets/
// and of experiments/priors/default.toml and experiments/policy_comparison.toml (plain files, no
// symlinks); each input is written there as fuzz.toml. An input whose experiment.include names
// an absolute path or has a '..' component is refused before loading, so every include
// resolves inside the sandbox.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

namespace chiprace::fuzz {

constexpr std::size_t max_overrides = 8;

struct FuzzInput {
    std::string_view text;              // the experiment file
    std::vector<std::string> overrides; // --set arguments
};

[[nodiscard]] FuzzInput split_input(const std::uint8_t* data, std::size_t size);

/// Prints "<harness>: message" and aborts, so libFuzzer keeps the input as a crash.
[[noreturn]] void die(const std::string& message);
/// The harness's name in die()'s messages.
void set_harness_name(std::string name);

/// Creates and fills the sandbox (removed at exit); returns its path.
const std::string& make_sandbox();
/// sandbox/fuzz.toml
[[nodiscard]] const std::string& input_path();

/// False when [experiment] include names a path outside the sandbox (absolute, or with '..').
[[nodiscard]] bool includes_are_contained(std::string_view text);

/// Writes text as the sandbox's fuzz.toml.
void write_input(std::string_view text);

/// The demangled name of a type, for messages about escaped exceptions.
[[nodiscard]] std::string type_name(const std::type_info& type);
/// The type of the exception being handled, inside a catch (...).
[[nodiscard]] std::string current_exception_type();

} // namespace chiprace::fuzz
