// libFuzzer harness of small whole runs (issue 14): every input that the experiment loader
// accepts is run in-process, as `chiprace run` runs it, so that the design, the model, the
// summaries, the sensitivity sums and their writers, contrasts, raw rows, `chiprace analyze`
// and `chiprace info` all see fuzzed experiments. config_fuzzer covers the loader alone, at
// far more inputs per second.
//
// The input is config_fuzzer's (fuzz_input.hpp): an experiment file, then NUL-separated --set
// arguments, in the same include sandbox. Per input:
//   1. load_experiment; a ConfigError ends the input (config_fuzzer judges the loader);
//   2. the run is made small with more --set arguments after the input's own, as a user would:
//      experiment.samples so that samples x runs per base point x policies stays within
//      max_model_runs (adaptive runs: sensitivity.max_samples too), and experiment.block_size
//      so that the runs make several blocks (and rounds);
//   3. app::main_with_mpi(chiprace run FILE -o OUT -q --checkpoint-every 0 --set ...) on one
//      MPI process, initialised once for the whole fuzzing session; then `chiprace info --all`,
//      and with stored rows `chiprace analyze` and `info` again;
//   4. the output directory is emptied.
//
// Verdicts: exit 0 from run, info and analyze is the expected outcome. Exit 2 (bad input) is
// accepted from run when the capped experiment no longer validates (a grid whose cells do not
// divide the capped samples) or when its worst-case memory exceeds the fuzzer's RSS limit
// (refused before any compute, as docs/running.md promises), and from analyze (its documented
// refusals: collinear ranks); exit 1 from run only with output.on_nonfinite = "error". Anything
// else is a finding: an exit 1 (an error after validation: "nothing that validates may fail"), an
// exit 3, an OUT.partial or OUT.checkpoint left after a successful run, a crash, an ASan or UBSan
// report, a hang or an out-of-memory; the harness aborts so that libFuzzer keeps the input.

#include "chiprace/app/commands.hpp"
#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/core/diagnostic.hpp"
#include "chiprace/parallel/mpi_session.hpp"
#include "fuzz_input.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <typeinfo>
#include <vector>

namespace fs = std::filesystem;
using chiprace::fuzz::die;

namespace {

/// Model evaluations per input at most: with the writers, about 0.2 s per input under ASan.
constexpr std::uint64_t max_model_runs = 1024;
/// libFuzzer's -rss_limit_mb in scripts/fuzz.sh: what a run may use.
constexpr int rss_limit_mb = 2048;
/// Blocks per run at least, where the runs allow it.
constexpr std::uint64_t min_blocks = 3;

std::unique_ptr<chiprace::parallel::MpiSession> mpi;
std::string out_dir; // sandbox/out, emptied after every input

int chiprace_main(std::vector<std::string> args) {
    args.insert(args.begin(), "chiprace");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return chiprace::app::main_with_mpi(static_cast<int>(args.size()), argv.data(), *mpi);
}

void empty_out_dir() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(out_dir, ec))
        fs::remove_all(entry.path(), ec);
}

std::string listing(const std::string& dir) {
    std::string s;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        s += " " + entry.path().filename().string();
    return s;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    chiprace::fuzz::set_harness_name("run_fuzzer");
    const auto& sandbox = chiprace::fuzz::make_sandbox();
    out_dir = sandbox + "/out";
    fs::create_directories(out_dir);
    // One MPI process for the whole session: MPI cannot be initialised twice.
    mpi = std::make_unique<chiprace::parallel::MpiSession>(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = chiprace::fuzz::split_input(data, size);
    if (!chiprace::fuzz::includes_are_contained(input.text))
        return -1;
    chiprace::fuzz::write_input(input.text);
    chiprace::config::Experiment ex;
    try {
        ex = chiprace::config::load_experiment(chiprace::fuzz::input_path(), input.overrides);
    } catch (const chiprace::ConfigError&) {
        return 0;
    } catch (const std::exception& e) {
        die("an exception other than ConfigError escaped load_experiment: " +
            chiprace::fuzz::type_name(typeid(e)) + ": " + e.what());
    } catch (...) {
        die("a non-std exception escaped load_experiment: " +
            chiprace::fuzz::current_exception_type());
    }

    // Caps, as --set arguments after the input's own (the last --set of a key wins).
    const std::uint64_t group = std::max<std::uint64_t>(1, ex.sensitivity.group_runs);
    const std::uint64_t variants =
        ex.model ? std::max<std::size_t>(1, ex.model->variant_count()) : 1;
    const std::uint64_t per_sample = group * variants;
    const bool adaptive = ex.sensitivity.target_ci_width.has_value();
    // Adaptive runs double from samples up to max_samples: room for three stages.
    const std::uint64_t budget = std::max<std::uint64_t>(1, max_model_runs / per_sample);
    const std::uint64_t samples = std::min<std::uint64_t>(
        ex.samples, adaptive ? std::max<std::uint64_t>(1, budget / 4) : budget);
    // The memory a run may use is libFuzzer's -rss_limit_mb (scripts/fuzz.sh): a run whose
    // worst case exceeds it is refused up front (exit 2) instead of being killed mid-run.
    std::vector<std::string> args{"run",
                                  chiprace::fuzz::input_path(),
                                  "-o",
                                  out_dir + "/run.h5",
                                  "-q",
                                  "--checkpoint-every",
                                  "0",
                                  "--max-memory",
                                  std::to_string(rss_limit_mb)};
    for (const auto& o : input.overrides)
        args.push_back("--set=" + o);
    args.push_back("--set=experiment.samples=" + std::to_string(samples));
    if (adaptive)
        args.push_back("--set=sensitivity.max_samples=" + std::to_string(4 * samples));
    const std::uint64_t runs = (adaptive ? 4 : 1) * samples * group;
    const std::uint64_t block = std::max<std::uint64_t>(group, runs / min_blocks);
    args.push_back("--set=experiment.block_size=" + std::to_string(block));

    const int rc = chiprace_main(args);
    const bool nonfinite_error = rc == 1 && ex.output.nonfinite_is_error;
    if (rc == 2 || nonfinite_error) {
        empty_out_dir();
        return 0;
    }
    if (rc != 0)
        die("chiprace run exited " + std::to_string(rc) + " on an experiment that validates");
    const std::string out = out_dir + "/run.h5";
    std::error_code ec;
    if (!fs::exists(out, ec) || fs::exists(out + ".partial", ec) ||
        fs::exists(out + ".checkpoint", ec))
        die("chiprace run exited 0 but left" + listing(out_dir));
    if (const int info = chiprace_main({"info", "--all", out}); info != 0)
        die("chiprace info exited " + std::to_string(info) + " on a finished run's file");
    if (ex.output.store == chiprace::config::StoreMode::raw) {
        const int analyze = chiprace_main({"analyze", "-q", out});
        if (analyze != 0 && analyze != 2)
            die("chiprace analyze exited " + std::to_string(analyze));
        if (fs::exists(out + ".analyze.partial", ec))
            die("chiprace analyze left" + listing(out_dir));
        if (const int info = chiprace_main({"info", out}); info != 0)
            die("chiprace info exited " + std::to_string(info) + " after analyze");
    }
    empty_out_dir();
    return 0;
}
