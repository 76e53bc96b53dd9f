// libFuzzer harness for the experiment loader (GitHub issue 8, item 4): arbitrary bytes as an
// experiment file plus --set overrides, through config::load_experiment.
//
// Input layout (fuzz_input.hpp, shared with run_fuzzer):
//
//     <experiment file bytes> [ \0 <--set argument> [ \0 <--set argument> ... ] ]
//
// A seed is an ordinary .toml file, and overrides can carry any byte a shell argument can
// (invalid UTF-8, newlines, '=' in values).
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
#include "fuzz_input.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <typeinfo>

using chiprace::fuzz::die;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    chiprace::fuzz::set_harness_name("config_fuzzer");
    chiprace::fuzz::make_sandbox();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = chiprace::fuzz::split_input(data, size);
    if (!chiprace::fuzz::includes_are_contained(input.text))
        return -1; // would read outside the sandbox: keep it out of the corpus

    chiprace::fuzz::write_input(input.text);
    chiprace::config::Experiment ex;
    try {
        ex = chiprace::config::load_experiment(chiprace::fuzz::input_path(), input.overrides);
    } catch (const chiprace::ConfigError&) {
        return 0; // the expected outcome for almost every input: diagnostics for the user
    } catch (const std::exception& e) {
        die("an exception other than ConfigError escaped load_experiment: " +
            chiprace::fuzz::type_name(typeid(e)) + ": " + e.what());
    } catch (...) {
        die("a non-std exception escaped load_experiment: " +
            chiprace::fuzz::current_exception_type());
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
            chiprace::fuzz::type_name(typeid(e)) + ": " + e.what());
    }
    return 0;
}
