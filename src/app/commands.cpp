#include "chiprace/app/commands.hpp"

#include "chiprace/app/analyze_command.hpp"
#include "chiprace/app/build_info.hpp"
#include "chiprace/app/discover_command.hpp"
#include "chiprace/app/models_command.hpp"
#include "chiprace/app/progress_reporter.hpp"
#include "chiprace/app/run_plan_builder.hpp"
#include "chiprace/app/size_check.hpp"
#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/core/exit_code.hpp"
#include "chiprace/core/fault_injection.hpp"
#include "chiprace/io/exclusive_file.hpp"
#include "chiprace/io/hdf5_handle.hpp"
#include "chiprace/io/output_lock.hpp"
#include "chiprace/io/result_reader.hpp"
#include "chiprace/parallel/runner.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <omp.h>
#include <sstream>
#include <unistd.h>

namespace chiprace::app {

namespace {

namespace fs = std::filesystem;

struct RunArguments {
    std::string config;
    std::string output;
    std::optional<std::int64_t> samples;
    std::optional<std::int64_t> seed;
    std::vector<std::string> overrides;
    std::vector<std::string> plugins; // --plugin
    bool force = false;
    bool break_lock = false;
    bool debug = false;
    bool quiet = false;
    int progress_seconds = 10;
    bool resume = false;
    double checkpoint_seconds = 60.0;
    double round_megabytes = 64.0;
    std::string part;               // "I/N"
    std::vector<std::string> parts; // merge: the part files
    bool ignore_size_check = false;
    std::optional<double> max_memory_megabytes; // per rank, instead of what the node says
};

/// The pre-flight check on every rank (collective): exit code 2 after its message when the
/// run cannot fit, unless --ignore-size-check makes the refusals warnings; 0 otherwise.
int refuse_if_too_large(const parallel::RunPlan& plan, const RunArguments& args, int threads,
                        const parallel::MpiSession& mpi) {
    const bool root = mpi.is_root();
    double existing = 0.0;
    std::error_code ec;
    if (args.resume)
        if (const auto size = fs::file_size(plan.output_path + ".partial", ec); !ec)
            existing = static_cast<double>(size);
    std::optional<double> max_memory;
    if (args.max_memory_megabytes)
        max_memory = *args.max_memory_megabytes * 1024.0 * 1024.0;
    const auto check = check_run_size(
        plan, mpi.size(), threads, parallel::ranks_on_this_node(mpi.world()), max_memory, existing);
    // Ranks may see different limits (nodes differ): the lowest rank that cannot fit speaks.
    int speaker = check.memory_problem.empty() ? mpi.size() : mpi.rank();
    MPI_Allreduce(MPI_IN_PLACE, &speaker, 1, MPI_INT, MPI_MIN, mpi.world());
    const bool disk_fits = parallel::broadcast_flag(check.disk_problem.empty(), mpi.world());
    const char* kind = args.ignore_size_check ? "warning" : "error";
    if (speaker == mpi.rank())
        std::cerr << "chiprace: " << kind << (root ? "" : " (rank " + std::to_string(speaker) + ")")
                  << ": " << check.memory_problem << '\n';
    if (root && !disk_fits)
        std::cerr << "chiprace: " << kind << ": " << check.disk_problem << '\n';
    else if (root && !check.disk_warning.empty())
        std::cerr << "chiprace: warning: " << check.disk_warning << '\n';
    const bool fits = speaker == mpi.size() && disk_fits;
    return fits || args.ignore_size_check ? exit_code::success : exit_code::bad_input;
}

/// "I/N" with 0 <= I < N: part I of N.
std::optional<parallel::RunPlan::Part> parse_part(const std::string& text, std::string& error) {
    const auto slash = text.find('/');
    try {
        if (slash != std::string::npos) {
            std::size_t used_i = 0, used_n = 0;
            const auto i = std::stoull(text.substr(0, slash), &used_i);
            const auto n = std::stoull(text.substr(slash + 1), &used_n);
            if (used_i == slash && used_n == text.size() - slash - 1 && n >= 1 && i < n)
                return parallel::RunPlan::Part{i, n};
        }
    } catch (const std::exception&) {
    }
    error = "--part " + text + ": expected I/N with 0 <= I < N (e.g. --part 0/4)";
    return std::nullopt;
}

/// --samples and --seed are shorthands for --set; they apply after every --set.
std::vector<std::string> all_overrides(const RunArguments& a) {
    auto o = a.overrides;
    if (a.samples)
        o.push_back("experiment.samples=" + std::to_string(*a.samples));
    if (a.seed)
        o.push_back("experiment.seed=" + std::to_string(*a.seed));
    return o;
}

std::string joined_command_line(int argc, char** argv) {
    std::string s;
    for (int i = 0; i < argc; ++i) {
        if (i)
            s += ' ';
        s += argv[i];
    }
    return s;
}

/// Why `output` cannot be the result file (empty when it can), before anything is written: a
/// name ending in '/', a directory, a FIFO (never opened: that would block), a device, a
/// symbolic link; or a file chiprace creates beside it (`output` + suffix) that is anything but
/// absent or a regular file.
std::string output_path_problem(const std::string& output,
                                const std::vector<std::string>& companion_suffixes) {
    if (output.ends_with('/'))
        return "-o " + output + ": ends in '/', so it names a directory; -o names the result " +
               "file (e.g. " + output + "result.h5)";
    try {
        const auto kind = io::path_kind(output);
        const auto what = io::describe_path_kind(output, kind);
        switch (kind) {
        case io::PathKind::absent:
        case io::PathKind::regular:
            break;
        case io::PathKind::directory:
            return "-o " + output + ": is a directory; -o names the result file (e.g. " +
                   (fs::path(output) / "result.h5").string() + ")";
        case io::PathKind::symbolic_link:
            return "-o " + output + ": is " + what +
                   "; chiprace puts the result in place by renaming and never writes through a "
                   "link: give the link's target as -o, or remove the link";
        default:
            return "-o " + output + ": is " + what + ", not a regular file; the result is an " +
                   "HDF5 file written as " + output + ".partial and renamed to " + output +
                   ": give the name of a file";
        }
        for (const auto& suffix : companion_suffixes)
            if (const auto why = io::not_regular_reason(output + suffix); !why.empty())
                return why +
                       ": chiprace creates this file itself and never writes through a link or "
                       "into anything but a regular file; remove it";
    } catch (const RuntimeFailure& e) {
        return e.what();
    }
    return {};
}

/// Takes the lock of `output` (rank 0); a refusal goes to `refusal` with its exit code.
void take_output_lock(std::optional<io::OutputLock>& lock, const std::string& output,
                      const std::string& command_line, bool break_lock, std::string& refusal,
                      int& code) {
    try {
        lock.emplace(output, io::LockRequest{command_line, build_info().version, break_lock});
        if (!lock->takeover_note().empty())
            std::cerr << "chiprace: warning: " << lock->takeover_note() << '\n';
    } catch (const io::LockRefused& e) {
        refusal = e.what();
        code = exit_code::bad_input;
    } catch (const RuntimeFailure& e) {
        refusal = e.what();
        code = exit_code::failure;
    }
}

int print_config_error(const ConfigError& e, bool root) {
    if (root)
        for (const auto& d : e.diagnostics())
            std::cerr << "chiprace: error: " << d.to_string() << '\n';
    return exit_code::bad_input;
}

int command_run(const RunArguments& args, const std::string& command_line,
                const parallel::MpiSession& mpi) {
    const bool root = mpi.is_root();
    io::set_hdf5_error_printing(args.debug);
    config::Experiment ex;
    try {
        // Every rank reads the file itself: the same input gives every rank the same verdict,
        // with no communication before the configuration is known to be good.
        ex = config::load_experiment(args.config, all_overrides(args), args.plugins);
    } catch (const ConfigError& e) {
        return print_config_error(e, root);
    }
    std::optional<parallel::RunPlan::Part> part;
    if (!args.part.empty()) {
        std::string error;
        part = parse_part(args.part, error);
        if (!part || ex.sensitivity.target_ci_width) {
            if (root)
                std::cerr << "chiprace: error: "
                          << (part ? "--part cannot split an adaptive run "
                                     "(sensitivity.target_ci_width): the stopping decision "
                                     "needs every block"
                                   : error)
                          << '\n';
            return exit_code::bad_input;
        }
    }
    const std::string output =
        !args.output.empty()
            ? args.output
            : "results/" + ex.name +
                  (part ? ".part" + std::to_string(part->index) : std::string()) + ".h5";

    // Refuse odd outputs and take the output's lock, then refuse to touch an existing result,
    // all before any work (docs/design.md, invariant 4). Only rank 0 holds the lock; it is released
    // when command_run returns (every path) or before it aborts the job.
    std::string refusal;
    bool already_complete = false;
    int refusal_code = exit_code::bad_input;
    std::optional<io::OutputLock> lock;
    if (root) {
        std::error_code ec;
        const std::string ledger = output + ".checkpoint";
        std::vector<std::string> companions{".partial", ".checkpoint", ".checkpoint.tmp"};
        if (part) // a part file is written as a ledger (OUT.tmp renamed) with its rows in OUT.rows
            companions.insert(companions.end(), {".tmp", ".rows"});
        refusal = output_path_problem(output, companions);
        if (const auto parent = fs::path(output).parent_path();
            refusal.empty() && !parent.empty()) {
            fs::create_directories(parent, ec);
            if (ec)
                refusal = "cannot create directory " + parent.string() + ": " + ec.message();
        }
        if (refusal.empty())
            take_output_lock(lock, output, command_line, args.break_lock, refusal, refusal_code);
        // A run stopped after publishing its result but before removing its ledger (the
        // "cleanup" phase) leaves both: the result is complete, the ledger is stale.
        if (refusal.empty() && fs::exists(output, ec) && fs::exists(ledger, ec) &&
            !fs::exists(output + ".partial", ec)) {
            fs::remove(ledger, ec);
            std::cerr << "chiprace: removed " << ledger
                      << ", left behind by the run that completed " << output
                      << " (it stopped before removing its ledger)\n";
            already_complete = args.resume;
        }
        if (refusal.empty()) {
            if (args.resume && args.force)
                refusal = "--resume continues a run and --force starts one over: choose one";
            else if (already_complete)
                std::cerr << "chiprace: " << output << ": already complete; nothing to resume\n";
            else if (args.resume && fs::exists(output, ec))
                refusal = output + ": already complete; there is nothing to resume";
            else if (args.resume && !fs::exists(ledger, ec))
                refusal = "no checkpoint " + ledger +
                          ": nothing to resume (a run leaves one when a "
                          "signal stops it, and every --checkpoint-every seconds)";
            else if (!args.resume && fs::exists(ledger, ec) && !args.force)
                refusal = "an interrupted run left " + ledger +
                          ": continue it with --resume, or "
                          "start over with --force";
            else if (fs::exists(output, ec) && !args.force)
                refusal = output + ": exists; pass --force to replace it (or choose another -o)";
        }
    }
    if (!parallel::broadcast_flag(refusal.empty(), mpi.world())) {
        if (root)
            std::cerr << "chiprace: error: " << refusal << '\n';
        return parallel::broadcast_flag(refusal_code == exit_code::failure, mpi.world())
                   ? exit_code::failure
                   : exit_code::bad_input;
    }
    if (parallel::broadcast_flag(already_complete, mpi.world()))
        return exit_code::success;

    if (root)
        for (const auto& w : ex.warnings)
            std::cerr << "chiprace: warning: " << w << '\n';
    const auto design = make_design(ex);
    const int threads = std::max(1, omp_get_max_threads());
    auto plan = make_run_plan(ex, *design, output, command_line, mpi.size(), threads);
    plan.resume = args.resume;
    plan.part = part;
    plan.checkpoint_seconds = args.checkpoint_seconds;
    plan.round_bytes = static_cast<std::size_t>(args.round_megabytes * 1024 * 1024);
    // Before anything is computed or created: a run that cannot fit is refused now, not after
    // hours of compute.
    if (const int code = refuse_if_too_large(plan, args, threads, mpi); code != exit_code::success)
        return code;
    std::optional<ProgressReporter> progress;
    if (root && !args.quiet) {
        const bool terminal = ::isatty(STDERR_FILENO) != 0;
        progress.emplace(std::cerr, terminal,
                         std::chrono::seconds(terminal ? 1 : args.progress_seconds));
        plan.progress = [&](std::uint64_t done, std::uint64_t total) {
            progress->update(done, total);
        };
        plan.checkpoint_note = [&](double seconds, double asked, double cost, double share) {
            progress->checkpoint_interval(seconds, asked, cost, share);
        };
    }
    if (root && !args.quiet && plan.adaptive) {
        const std::uint64_t per_base = ex.sensitivity.group_runs;
        const double target = plan.adaptive->target_width;
        plan.progress_note = [per_base, target](std::uint64_t runs, double widest, bool stop) {
            std::cerr << "\nchiprace: " << runs / per_base << " base points: widest interval "
                      << widest << " (target " << target << ")"
                      << (stop ? ", stopping" : ", doubling") << "\n";
        };
    }

    if (root && !args.quiet)
        std::cerr << "chiprace: running '" << ex.name << "' (" << ex.model_name << ", "
                  << plan.samples << " runs, design " << ex.design << ") on " << mpi.size()
                  << " rank(s) x " << threads << " thread(s)\n";
    parallel::RunReport report;
    try {
        report = parallel::run(plan, mpi.world());
    } catch (const parallel::ResumeRefused& e) {
        // Every rank knows: no one is left inside a collective call.
        if (root)
            std::cerr << "chiprace: error: " << e.what() << '\n';
        return exit_code::bad_input;
    } catch (const std::exception& e) {
        // Every rank throws a CollectiveFailure together: rank 0 alone reports it. Any other
        // failure may be one rank's alone, which then reports it and ends the others.
        const bool collective = dynamic_cast<const CollectiveFailure*>(&e) != nullptr;
        if (root || !collective) {
            // One write per report: the ranks' lines must not interleave.
            std::string message = "chiprace: error";
            if (!root)
                message += " (rank " + std::to_string(mpi.rank()) + ")";
            message += std::string(": ") + e.what() + "\n";
            std::error_code ec;
            if (!part && fs::exists(output + ".checkpoint", ec))
                message += "chiprace: the blocks finished before the failure are saved in " +
                           output +
                           ".checkpoint: once the cause is mended (space freed, say), continue "
                           "with the same command and --resume\n";
            std::cerr << message << std::flush;
        }
        if (mpi.size() > 1) {
            lock.reset(); // MPI_Abort ends the process without unwinding
            // The ranks' HDF5 files are abandoned, not closed (RawRowWriter), so no rank may
            // finalize normally; the barrier lets rank 0 report and release the lock first.
            if (collective)
                MPI_Barrier(mpi.world());
            mpi.abort(exit_code::failure);
        }
        return exit_code::failure;
    }
    if (report.interrupted) {
        if (root)
            std::cerr << "chiprace: " << report.interrupt_signal << ": stopped after finishing "
                      << "the blocks in flight; the run is saved in " << output
                      << ".checkpoint. Continue it with the same command and --resume (any "
                      << "number of ranks and threads).\n";
        return exit_code::interrupted;
    }
    if (root && !report.late_signal.empty())
        std::cerr << "chiprace: " << report.late_signal
                  << " arrived while the results were being written; the run completed, so "
                     "there is nothing to resume\n";
    if (root && !args.quiet && part)
        std::cerr << "chiprace: part " << part->index << " of " << part->count << ": wrote "
                  << output
                  << (ex.output.store == config::StoreMode::raw ? " (rows in " + output + ".rows)"
                                                                : std::string())
                  << "; combine the parts with chiprace merge\n";
    else if (root && !args.quiet)
        std::cerr << "chiprace: wrote " << output << " in " << std::fixed << std::setprecision(2)
                  << report.seconds << " s (" << std::setprecision(0)
                  << static_cast<double>(report.samples) / report.seconds << " samples/s)\n";
    if (root && !args.quiet && plan.adaptive)
        std::cerr << "chiprace: stopped after " << report.samples << " of " << plan.samples
                  << " runs: " << report.stopping_reason << "\n";
    if (!report.collective_breaks.empty())
        std::cerr << "chiprace: warning: rank " << mpi.rank() << ": "
                  << report.collective_breaks.size() << " raw writes fell back to independent I/O ("
                  << report.collective_breaks.front()
                  << "); results are correct but writes are slower\n";
    if (root) {
        if (report.non_finite_values > 0)
            std::cerr << "chiprace: warning: " << report.non_finite_values
                      << " output values were not finite (NaN or inf); they are excluded from "
                         "the summaries and counted in each summary's n_non_finite\n";
    }
    if (ex.calibration.enabled && report.ess < ex.calibration.min_ess && !part) {
        if (root)
            std::cerr << "chiprace: " << (report.posterior_refused ? "error" : "warning")
                      << ": calibration: the effective sample size is " << std::setprecision(4)
                      << std::defaultfloat << report.ess << " of " << report.samples
                      << " samples, below calibration.min_ess = " << ex.calibration.min_ess
                      << (report.posterior_refused
                              ? "; the posterior summaries were not written (on_low_ess = "
                                "\"error\"); the prior results are in " +
                                    output
                              : "; posterior summaries rest on few futures")
                      << ". Run more samples, or widen the observations if they are tighter "
                         "than the evidence (docs/calibration.md, \"Degeneracy\")\n";
        if (report.posterior_refused)
            return exit_code::failure;
    }
    return exit_code::success;
}

int command_validate(const RunArguments& args, const parallel::MpiSession& mpi) {
    try {
        const auto ex = config::load_experiment(args.config, all_overrides(args), args.plugins);
        if (mpi.is_root()) {
            for (const auto& w : ex.warnings)
                std::cerr << "chiprace: warning: " << w << '\n';
            std::cout << args.config << ": valid experiment '" << ex.name << "': model "
                      << ex.model_name << ", " << ex.parameters.dimension() << " parameters, "
                      << ex.samples << " samples, design " << ex.design << ", seed " << ex.seed
                      << ", " << ex.model->variant_count() << " variant(s), "
                      << ex.model->column_count() << " output column(s) each\n";
        }
        // The pre-flight check of `run` with this process's ranks and threads, for the default
        // output (docs/running.md, "Memory and disk").
        const auto design = make_design(ex);
        const int threads = std::max(1, omp_get_max_threads());
        const std::string output = "results/" + ex.name + ".h5";
        const auto plan =
            make_run_plan(ex, *design, output, "chiprace validate", mpi.size(), threads);
        std::optional<double> max_memory;
        if (args.max_memory_megabytes)
            max_memory = *args.max_memory_megabytes * 1024.0 * 1024.0;
        const int on_node = mpi.size() > 1 ? parallel::ranks_on_this_node(mpi.world())
                                           : ranks_on_node_from_environment();
        const auto check = check_run_size(plan, mpi.size(), threads, on_node, max_memory);
        if (mpi.is_root()) {
            std::cout << check.report();
            if (!check.memory_problem.empty())
                std::cerr << "chiprace: " << (args.ignore_size_check ? "warning" : "error") << ": "
                          << check.memory_problem << '\n';
        }
        return check.memory_problem.empty() || args.ignore_size_check ? exit_code::success
                                                                      : exit_code::bad_input;
    } catch (const ConfigError& e) {
        return print_config_error(e, mpi.is_root());
    }
}

std::string number(double x) {
    std::ostringstream s;
    s << std::setprecision(5) << x;
    return s.str();
}

/// Per policy (and per contrast): median and 90% interval of the model's headline outputs in
/// its headline years (root attributes headline_outputs and headline_years, written by the run;
/// a file without them: the first three per-year outputs, first and last year).
void print_key_results(const io::ResultOverview& o, std::size_t median, std::size_t lo,
                       std::size_t hi, std::ostream& out) {
    const std::size_t nq = o.quantile_levels.size();
    auto words = [](const std::string& text) {
        std::vector<std::string> list;
        std::istringstream in(text);
        for (std::string w; in >> w;)
            list.push_back(w);
        return list;
    };
    std::vector<std::size_t> year_rows;
    for (const auto& wanted : words(o.attribute("headline_years")))
        for (std::size_t r = 0; r < o.years.size(); ++r)
            if (std::to_string(o.years[r]) == wanted)
                year_rows.push_back(r);
    if (year_rows.empty() && !o.years.empty())
        year_rows = {0, o.years.size() - 1};
    std::vector<std::string> headline = words(o.attribute("headline_outputs"));
    if (headline.empty())
        for (const auto& s : o.summaries)
            if (s.per_year && headline.size() < 3 &&
                std::find(headline.begin(), headline.end(), s.name) == headline.end())
                headline.push_back(s.name);
    for (const char* prefix : {"policies/", "contrasts/"}) {
        bool header = false;
        for (const auto& name : headline) {
            for (const auto& s : o.summaries) {
                if (s.name != name || s.group.rfind(prefix, 0) != 0 || !s.per_year)
                    continue;
                if (!header) {
                    out << "\n"
                        << (prefix[0] == 'p' ? "policy" : "contrast (paired difference)")
                        << ": median [5%, 95%]\n";
                    header = true;
                }
                out << "  " << std::left << std::setw(56)
                    << s.group.substr(std::string(prefix).size()) + "  " + s.name + " ";
                for (const auto r : year_rows) {
                    out << o.years[r] << ": " << number(s.quantiles[r * nq + median]) << " ["
                        << number(s.quantiles[r * nq + lo]) << ", "
                        << number(s.quantiles[r * nq + hi]) << "]   ";
                }
                out << std::right << s.units << "\n";
            }
        }
    }
}

/// The top factors of every sensitivity result: by total index (Sobol') or mu* (Morris).
void print_sensitivity(const io::ResultOverview& o, std::ostream& out) {
    constexpr std::size_t top = 5;
    const std::size_t d = o.parameters.size();
    for (const auto& v : o.sensitivity) {
        const bool sobol = v.method == "sobol";
        const std::size_t columns = v.per_year ? o.sensitivity_years.size() : 1;
        if (d == 0 || v.main.size() != d * columns)
            continue;
        for (std::size_t c = 0; c < columns; ++c) {
            std::vector<std::size_t> order(d);
            for (std::size_t k = 0; k < d; ++k)
                order[k] = k;
            // Sobol': by total effect; Morris: by mu*. NaN sorts last.
            const auto& key = sobol ? v.total : v.main;
            auto value = [&](std::size_t k) {
                const double x = key[k * columns + c];
                return std::isnan(x) ? -std::numeric_limits<double>::infinity() : x;
            };
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t a, std::size_t b) { return value(a) > value(b); });
            out << "\n" << (v.group.empty() ? std::string("") : v.group + "  ") << v.output;
            if (v.per_year)
                out << " [" << o.sensitivity_years[c] << "]";
            // A column without variance (docs/sensitivity.md): its reason, not a list of NaNs.
            const std::string reason =
                c < v.undefined_reason.size() ? v.undefined_reason[c] : std::string();
            if (sobol && !reason.empty()) {
                out << ": no Sobol' indices: " << reason << "\n";
                continue;
            }
            out << (sobol ? ": top factors by total Sobol' index (ST +- 95% bootstrap; S1)\n"
                          : ": top factors by Morris mu* (+- bootstrap; sigma)\n");
            if (!reason.empty())
                out << "  (" << reason << ")\n";
            for (std::size_t i = 0; i < std::min(top, d); ++i) {
                const std::size_t k = order[i], at = k * columns + c;
                out << "  " << std::left << std::setw(30) << o.parameters[k] << std::right;
                if (sobol)
                    out << "ST " << number(v.total[at]) << " +- " << number(v.total_conf[at])
                        << "   S1 " << number(v.main[at]) << " +- " << number(v.main_conf[at]);
                else
                    out << "mu* " << number(v.main[at]) << " +- " << number(v.main_conf[at])
                        << "   sigma " << number(v.total[at]);
                out << "\n";
            }
        }
    }
}

/// Event probabilities: under each group and output that has events, a line per event with
/// its share in every year (years in columns), or for a scalar output its share and 95%
/// interval.
void print_events(const io::ResultOverview& o, std::ostream& out) {
    constexpr int label_width = 40;
    bool header = false;
    for (const auto& s : o.summaries) {
        if (s.events.empty())
            continue;
        if (!header) {
            out << "\nevent probabilities (share of all samples; NaN never meets an event)\n";
            if (!o.years.empty()) {
                out << std::string(label_width + 2, ' ');
                for (const int year : o.years)
                    out << std::left << std::setw(8) << year;
                out << std::right << "\n";
            }
            header = true;
        }
        out << "  " << (s.group.empty() ? std::string() : s.group + "  ") << s.name
            << (s.per_year ? "" : "  (share [95% Wilson interval])") << "\n";
        for (const auto& e : s.events) {
            std::ostringstream label;
            label << e.name << " (" << e.comparison << " " << number(e.threshold) << ")";
            out << "    " << std::left << std::setw(label_width - 2) << label.str() << " ";
            if (s.per_year) {
                for (const double p : e.probability) {
                    std::ostringstream cell;
                    cell << std::fixed << std::setprecision(3) << p;
                    out << std::setw(8) << cell.str();
                }
            } else if (!e.probability.empty()) {
                out << std::fixed << std::setprecision(4) << e.probability[0] << " [" << e.low[0]
                    << ", " << e.high[0] << "]" << std::defaultfloat;
            }
            out << std::right << "\n";
        }
    }
}

/// Robustness: per objective, the policies in the order of their mean regret, with the
/// minimax-regret rank, the share of futures in which each is the best, and each threshold's
/// satisficing share; with few policies the pairwise dominance matrix.
void print_robustness(const io::ResultOverview& o, std::ostream& out) {
    if (o.robustness.empty())
        return;
    const auto& names = o.robustness_policies;
    const std::size_t p = names.size();
    std::size_t width = 8;
    for (const auto& n : names)
        width = std::max(width, n.size() + 2);
    out << "\nrobustness (regret = the best policy's value in the same future minus this one's;"
           " docs/robustness.md)\n";
    auto share = [](double x) {
        std::ostringstream cell;
        cell << std::fixed << std::setprecision(3) << x;
        return cell.str();
    };
    for (const auto& r : o.robustness) {
        out << "  " << r.name << "  (" << r.output;
        if (r.year)
            out << " in " << *r.year;
        out << (r.units.empty() ? "" : ", " + r.units) << "; " << r.better << " is better; "
            << r.samples << " futures)\n";
        out << "    " << std::left << std::setw(static_cast<int>(width)) << "policy"
            << std::setw(13) << "mean regret" << std::setw(6) << "rank" << std::setw(13)
            << "max regret" << std::setw(6) << "rank" << std::setw(9) << "P(best)";
        for (const double t : r.thresholds)
            out << std::setw(12)
                << (std::string(r.better == "higher" ? "P(>= " : "P(<= ") + number(t) + ")");
        out << std::right << "\n";
        std::vector<std::size_t> order(p);
        for (std::size_t i = 0; i < p; ++i)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return r.mean_rank[a] < r.mean_rank[b];
        });
        for (const std::size_t i : order) {
            out << "    " << std::left << std::setw(static_cast<int>(width)) << names[i]
                << std::setw(13) << number(r.regret_mean[i]) << std::setw(6) << r.mean_rank[i]
                << std::setw(13) << number(r.regret_max[i]) << std::setw(6) << r.minimax_rank[i]
                << std::setw(9) << share(r.best_share[i]);
            for (std::size_t t = 0; t < r.thresholds.size(); ++t)
                out << std::setw(12) << share(r.satisficing_share[t * p + i]);
            out << std::right << "\n";
        }
        if (p <= 8) {
            out << "    P(row better than column):\n    " << std::left
                << std::setw(static_cast<int>(width)) << "";
            for (std::size_t j = 0; j < p; ++j)
                out << std::setw(9) << names[j].substr(0, 8);
            out << "\n";
            for (const std::size_t i : order) {
                out << "    " << std::setw(static_cast<int>(width)) << names[i];
                for (std::size_t j = 0; j < p; ++j)
                    out << std::setw(9) << (i == j ? "-" : share(r.dominance_share[i * p + j]));
                out << "\n";
            }
            out << std::right;
        }
    }
}

void print_overview(const io::ResultOverview& o, bool all, std::ostream& out) {
    auto attr = [&](const char* name) { return o.attribute(name); };
    std::string line;
    out << "experiment   " << attr("experiment") << " (model " << attr("model") << ")\n"
        << "samples      " << attr("n_samples") << " (design " << attr("design") << ", seed "
        << attr("seed") << ", block size " << attr("block_size") << ")\n"
        << "store        " << attr("store") << (o.has_raw_rows ? " (per-sample rows present)" : "")
        << "\n"
        << "run          " << attr("mpi_ranks") << " rank(s) x " << attr("omp_threads")
        << " thread(s), " << attr("wall_seconds") << " s, finished " << attr("completed_utc")
        << "\n"
        << "software     chiprace " << attr("software_version") << " (git " << attr("git_revision")
        << (attr("git_dirty") == "1" ? ", dirty" : "") << ")\n"
        << "format       " << attr("format") << " " << attr("format_version") << "."
        << attr("format_version_minor") << "\n";
    // A model from a plug-in: which file, which build (one line per plug-in).
    for (std::istringstream lines(attr("plugins")); std::getline(lines, line);)
        out << "plug-in      " << line << "\n";
    if (!o.inputs.empty()) {
        out << "inputs       ";
        for (std::size_t i = 0; i < o.inputs.size(); ++i)
            out << (i ? ", " : "") << o.inputs[i];
        out << "\n";
    }
    if (attr("n_non_finite") != "0" && !attr("n_non_finite").empty())
        out << "non-finite   " << attr("n_non_finite")
            << " output values excluded from summaries\n";
    std::size_t median = o.quantile_levels.size(), lo = median, hi = median;
    for (std::size_t q = 0; q < o.quantile_levels.size(); ++q) {
        if (o.quantile_levels[q] == 0.5)
            median = q;
        if (o.quantile_levels[q] == 0.05)
            lo = q;
        if (o.quantile_levels[q] == 0.95)
            hi = q;
    }
    const std::size_t nq = o.quantile_levels.size();
    const bool has_policies =
        std::any_of(o.summaries.begin(), o.summaries.end(),
                    [](const auto& s) { return s.group.rfind("policies/", 0) == 0; });
    print_sensitivity(o, out);
    print_events(o, out);
    print_robustness(o, out);
    if (has_policies && median < nq && lo < nq && hi < nq) {
        print_key_results(o, median, lo, hi, out);
        if (!all) {
            out << "\n(chiprace info --all lists every output of every policy)\n";
            return;
        }
    }
    std::string current_group = "\x01";
    for (const auto& s : o.summaries) {
        if (s.group != current_group) {
            current_group = s.group;
            out << "\n"
                << (s.group.empty() ? std::string("summary") : s.group + "/summary")
                << "        mean         std          median       [5%, 95%]\n";
        }
        const std::size_t rows = s.per_year ? o.years.size() : 1;
        for (std::size_t r = 0; r < rows; ++r) {
            std::string label = s.name;
            if (s.per_year)
                label += "[" + std::to_string(o.years[r]) + "]";
            out << "  " << std::left << std::setw(28) << label << std::setw(13) << number(s.mean[r])
                << std::setw(13) << number(s.std_dev[r]);
            out << std::setw(13) << (median < nq ? number(s.quantiles[r * nq + median]) : "-");
            if (lo < nq && hi < nq)
                out << "[" << number(s.quantiles[r * nq + lo]) << ", "
                    << number(s.quantiles[r * nq + hi]) << "]";
            out << "  " << s.units;
            if (s.n_non_finite[r] > 0)
                out << "  (" << s.n_non_finite[r] << " non-finite)";
            out << std::right << "\n";
        }
    }
}

int command_merge(const RunArguments& args, const std::string& command_line,
                  const parallel::MpiSession& mpi) {
    const bool root = mpi.is_root();
    io::set_hdf5_error_printing(args.debug);
    if (!root)
        return exit_code::success; // serial work: other ranks of an mpiexec have none
    config::Experiment ex;
    try {
        ex = config::load_experiment(args.config, all_overrides(args), args.plugins);
    } catch (const ConfigError& e) {
        return print_config_error(e, root);
    }
    const std::string output = args.output.empty() ? "results/" + ex.name + ".h5" : args.output;
    std::error_code ec;
    for (const auto& p : args.parts)
        if (!fs::exists(p, ec)) {
            std::cerr << "chiprace: error: part file " << p << ": no such file\n";
            return exit_code::bad_input;
        }
    std::string refusal = output_path_problem(output, {".partial"});
    if (const auto parent = fs::path(output).parent_path(); refusal.empty() && !parent.empty()) {
        fs::create_directories(parent, ec);
        if (ec)
            refusal = "cannot create directory " + parent.string() + ": " + ec.message();
    }
    int refusal_code = exit_code::bad_input;
    std::optional<io::OutputLock> lock;
    if (refusal.empty())
        take_output_lock(lock, output, command_line, args.break_lock, refusal, refusal_code);
    if (refusal.empty() && fs::exists(output, ec) && !args.force)
        refusal = output + ": exists; pass --force to replace it (or choose another -o)";
    if (!refusal.empty()) {
        std::cerr << "chiprace: error: " << refusal << '\n';
        return refusal_code;
    }
    const auto design = make_design(ex);
    auto plan = make_run_plan(ex, *design, output, command_line, mpi.size(),
                              std::max(1, omp_get_max_threads()));
    try {
        const auto report = parallel::merge_parts(plan, args.parts);
        if (!args.quiet)
            std::cerr << "chiprace: merged " << args.parts.size() << " parts (" << report.samples
                      << " runs) into " << output << "\n";
        return exit_code::success;
    } catch (const parallel::ResumeRefused& e) {
        std::cerr << "chiprace: error: " << e.what() << '\n';
        return exit_code::bad_input;
    } catch (const std::exception& e) {
        std::cerr << "chiprace: error: " << e.what() << '\n';
        return exit_code::failure;
    }
}

int command_info(const std::string& path, bool all, bool debug, const parallel::MpiSession& mpi) {
    if (!mpi.is_root())
        return exit_code::success;
    io::set_hdf5_error_printing(debug);
    try {
        print_overview(io::read_result_overview(path), all, std::cout);
        print_rank_correlation_note(path, std::cout);
        print_discovery_note(path, std::cout);
        return exit_code::success;
    } catch (const RuntimeFailure& e) {
        std::cerr << "chiprace: error: " << e.what() << '\n';
        return exit_code::bad_input;
    }
}

void print_version(std::ostream& out) {
    const auto b = build_info();
    out << "chiprace " << b.version << "\n"
        << "  git revision  " << revision_label(b) << "\n"
        << "  build type    " << b.build_type << "\n"
        << "  compiler      " << b.compiler << "\n"
        << "  MPI           " << b.mpi_library << "\n"
        << "  HDF5          " << b.hdf5_library << "\n"
        << "  Boost         " << b.boost << "\n"
        << "  toml++        " << b.tomlplusplus << "\n"
        << "  OpenMP        " << _OPENMP << "\n";
    if (fault_injection_enabled())
        out << "  fault injection: on (a test build: CHIPRACE_FAULT is honoured; "
               "never use it for production runs)\n";
}

} // namespace

int main_with_mpi(int argc, char** argv, const parallel::MpiSession& mpi) {
    const bool root = mpi.is_root();
    CLI::App app{"chiprace: distributed Monte Carlo of the AI-compute race under US export "
                 "controls.\nDescribe an experiment in TOML, run it on any number of MPI ranks "
                 "and OpenMP threads, get one self-describing HDF5 file.\nDocs: docs/"
                 "getting-started.md. Exit codes: 0 ok, 1 runtime failure, 2 bad input.",
                 "chiprace"};
    app.require_subcommand(0, 1);
    bool version = false;
    app.add_flag("-V,--version", version,
                 "Print the version, git revision, compiler, MPI, HDF5 and Boost versions");

    RunArguments run_args;
    auto* run = app.add_subcommand(
        "run", "Run an experiment and write its HDF5 result file.\nLaunch under MPI for "
               "several ranks: mpiexec -n 4 chiprace run experiments/x.toml.\nThreads per rank "
               "follow OMP_NUM_THREADS.");
    run->add_option("config", run_args.config, "Experiment file (TOML); see docs/config.md")
        ->required();
    run->add_option("-o,--output", run_args.output,
                    "Result file (default: results/<experiment name>.h5). Written as "
                    "OUT.partial and renamed when complete");
    run->add_option("--samples", run_args.samples,
                    "Number of samples (overrides experiment.samples)");
    run->add_option("--seed", run_args.seed, "Random seed (overrides experiment.seed)");
    run->add_option("--set", run_args.overrides,
                    "Override any experiment value: --set KEY.PATH=VALUE, VALUE read as TOML, a "
                    "bare word as a string (e.g. --set output.store=summary). Repeatable")
        ->type_name("KEY=VALUE");
    run->add_flag("--force", run_args.force,
                  "Replace an existing result file (and discard an interrupted run's checkpoint)");
    run->add_flag("--break-lock", run_args.break_lock,
                  "Take over OUT.lock of a run on another host whose heartbeat is older than 10 "
                  "minutes (a lost node, kill -9). A lock of a dead process on this host is taken "
                  "over without it, a live run's never (nor with --force); see docs/running.md");
    run->add_flag("--resume", run_args.resume,
                  "Continue an interrupted run from OUT.checkpoint: same experiment and "
                  "overrides, any number of ranks and threads; the result is the file an "
                  "uninterrupted run writes");
    run->add_option("--checkpoint-every", run_args.checkpoint_seconds,
                    "Seconds between checkpoints (OUT.checkpoint, removed at the end), stretched "
                    "when needed so that ledgers take at most 5% of the run; 0: only when "
                    "SIGTERM, SIGINT or SIGUSR1 stops the run (exit code 3)")
        ->check(CLI::NonNegativeNumber)
        ->default_val(60);
    run->add_option("--part", run_args.part,
                    "Compute only part I of N equal shares of the blocks (job arrays, 0-based: "
                    "--part 0/4 ... 3/4); the run writes a part file OUT (and OUT.rows with "
                    "raw rows) for chiprace merge")
        ->type_name("I/N");
    run->add_option("--round-memory", run_args.round_megabytes,
                    "MB per rank for the rows computed between two writes (raw mode) and between "
                    "two checks for signals and checkpoints; smaller: finer checkpoints, more and "
                    "smaller writes")
        ->check(CLI::PositiveNumber)
        ->default_val(64);
    run->add_flag("--debug", run_args.debug, "Show HDF5's own error stack on I/O failures");
    run->add_flag("-q,--quiet", run_args.quiet,
                  "Print nothing but errors and warnings (no progress, no summary line)");
    run->add_option("--progress-every", run_args.progress_seconds,
                    "Seconds between progress lines when stderr is not a terminal (batch logs); "
                    "a terminal gets a bar redrawn every second")
        ->check(CLI::PositiveNumber)
        ->default_val(10);
    auto size_options = [](CLI::App* command, RunArguments& a) {
        command->add_flag("--ignore-size-check", a.ignore_size_check,
                          "Run even when the run's worst-case memory per rank exceeds what a "
                          "rank may use, or its result file the free space (the refusals "
                          "become warnings; the run may then fail); see docs/running.md");
        command
            ->add_option("--max-memory", a.max_memory_megabytes,
                         "MiB a rank may use, instead of the limit the node and Slurm give "
                         "(cgroup memory.max, SLURM_MEM_PER_CPU/NODE, MemAvailable, shared "
                         "by the ranks on a node)")
            ->check(CLI::PositiveNumber);
    };
    size_options(run, run_args);
    auto plugin_option = [](CLI::App* command, RunArguments& a) {
        command
            ->add_option("--plugin", a.plugins,
                         "Load a model plug-in (a shared library built with chiprace_add_model) "
                         "besides those of [experiment] plugins; its path, sha256 and version go "
                         "into the result file. Repeatable; see docs/writing-a-model.md")
            ->type_name("FILE");
    };
    plugin_option(run, run_args);

    RunArguments validate_args;
    auto* validate = app.add_subcommand(
        "validate", "Check an experiment file without running it: every error, with "
                    "file:line:column; exit 0 when valid, 2 when not");
    validate->add_option("config", validate_args.config, "Experiment file (TOML)")->required();
    validate
        ->add_option("--set", validate_args.overrides,
                     "Override a value as `run --set` does (repeatable)")
        ->type_name("KEY=VALUE");
    validate->add_option("--samples", validate_args.samples, "Override experiment.samples");
    validate->add_option("--seed", validate_args.seed, "Override experiment.seed");
    size_options(validate, validate_args);
    plugin_option(validate, validate_args);

    RunArguments merge_args;
    auto* merge = app.add_subcommand(
        "merge", "Combine the part files of a job array (chiprace run --part I/N) into one "
                 "result file, bitwise the datasets of a single run. Give the experiment and "
                 "overrides the parts were run with");
    merge->add_option("config", merge_args.config, "Experiment file (TOML) of the parts")
        ->required();
    merge->add_option("parts", merge_args.parts, "Part files, in any order")->required();
    merge->add_option("-o,--output", merge_args.output,
                      "Result file (default: results/<experiment name>.h5)");
    merge->add_option("--set", merge_args.overrides, "The parts' --set overrides (repeatable)")
        ->type_name("KEY=VALUE");
    merge->add_option("--samples", merge_args.samples, "The parts' --samples");
    merge->add_option("--seed", merge_args.seed, "The parts' --seed");
    merge->add_flag("--force", merge_args.force, "Replace an existing result file");
    plugin_option(merge, merge_args);
    merge->add_flag("--break-lock", merge_args.break_lock,
                    "Take over OUT.lock of another host's run without a heartbeat for 10 minutes "
                    "(as run --break-lock)");
    merge->add_flag("--debug", merge_args.debug, "Show HDF5's own error stack on I/O failures");
    merge->add_flag("-q,--quiet", merge_args.quiet, "Print nothing but errors");

    std::string info_path;
    bool info_debug = false;
    auto* info = app.add_subcommand(
        "info", "Summarise a result file: provenance, and the mean, std, median and 90% "
                "interval of every output");
    info->add_option("file", info_path, "Result file (.h5)")->required();
    bool info_all = false;
    info->add_flag("--all", info_all,
                   "List every output of every policy and year (by default a model with "
                   "policies shows its headline outputs in its headline years, which "
                   "`chiprace models NAME` lists)");
    info->add_flag("--debug", info_debug, "Show HDF5's own error stack");

    AnalyzeArguments analyze_args;
    auto* analyze = add_analyze_command(app, analyze_args);
    DiscoverArguments discover_args;
    auto* discover = add_discover_command(app, discover_args);
    ModelsArguments models_args;
    auto* models = add_models_command(app, models_args);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) { // --help
            std::ostringstream out, err;
            app.exit(e, out, err);
            if (root)
                std::cout << out.str() << err.str();
            return exit_code::success;
        }
        if (root)
            std::cerr << "chiprace: error: " << e.what() << " (see chiprace --help)\n";
        return exit_code::bad_input;
    }
    if (version) {
        if (root)
            print_version(std::cout);
        return exit_code::success;
    }
    if (run->parsed())
        return command_run(run_args, joined_command_line(argc, argv), mpi);
    if (validate->parsed())
        return command_validate(validate_args, mpi);
    if (merge->parsed())
        return command_merge(merge_args, joined_command_line(argc, argv), mpi);
    if (info->parsed())
        return command_info(info_path, info_all, info_debug, mpi);
    if (analyze->parsed())
        return command_analyze(analyze_args, joined_command_line(argc, argv), mpi);
    if (discover->parsed())
        return command_discover(discover_args, joined_command_line(argc, argv), mpi);
    if (models->parsed())
        return command_models(models_args, mpi);
    if (root)
        std::cout << app.help();
    return exit_code::bad_input;
}

} // namespace chiprace::app
