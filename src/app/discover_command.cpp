#include "chiprace/app/discover_command.hpp"

#include "chiprace/app/build_info.hpp"
#include "chiprace/app/temporary_copy.hpp"
#include "chiprace/config/toml_diagnostics.hpp"
#include "chiprace/core/exit_code.hpp"
#include "chiprace/core/utc_time.hpp"
#include "chiprace/discovery/cart.hpp"
#include "chiprace/discovery/case_expression.hpp"
#include "chiprace/discovery/prim.hpp"
#include "chiprace/discovery/quasi_p.hpp"
#include "chiprace/io/discovery_writer.hpp"
#include "chiprace/io/hdf5_handle.hpp"
#include "chiprace/io/raw_row_reader.hpp"
#include "chiprace/io/result_file.hpp"
#include "chiprace/io/result_reader.hpp"
#include "chiprace/parallel/mpi_reduction.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>

namespace chiprace::app {

namespace {

/// What the user asked for cannot be done with this file: exit code 2, like a bad config.
class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) {
        if (!s.empty())
            s += ", ";
        s += n;
    }
    return s;
}

/// "FILE: no WHAT 'name'; did you mean 'x'?" or the list of what there is.
[[noreturn]] void unknown(const std::string& file, const std::string& what, const std::string& name,
                          const std::vector<std::string>& names) {
    const std::vector<std::string_view> views(names.begin(), names.end());
    std::string msg = file + ": no " + what + " '" + name + "'";
    if (const auto guess = config::closest_match(name, views))
        msg += "; did you mean '" + *guess + "'?";
    else
        msg += " (" + what + "s: " + joined(names) + ")";
    throw BadRequest(msg);
}

/// What the command line resolves to in this file. Every rank resolves it alike from the same
/// file, so a refusal happens on all ranks before any collective call.
struct Plan {
    discovery::CaseExpression expression;
    std::string policy; // "" for a model without policies
    std::string group;  // of the policy: "" or "policies/<p>"
    io::RawOutput output;
    std::vector<std::pair<std::string, io::RawOutput>> all_groups; // regret: every policy
    std::size_t year_index = 0;
    std::vector<std::size_t> inputs; // indices into RawRowReader::inputs()
    bool inputs_given = false;
    std::string name;
};

const io::RawOutput* find_output(const io::RawGroup& g, const std::string& name) {
    for (const auto& o : g.outputs)
        if (o.name == name)
            return &o;
    return nullptr;
}

std::string first_free_name(const std::string& file) {
    const auto taken = io::list_discoveries(file);
    for (int i = 1;; ++i) {
        std::string name = "box" + std::to_string(i);
        if (std::find(taken.begin(), taken.end(), name) == taken.end())
            return name;
    }
}

Plan make_plan(const io::RawRowReader& reader, const DiscoverArguments& args) {
    Plan p;
    try {
        p.expression = discovery::parse_case_expression(args.case_expression);
    } catch (const discovery::BadCaseExpression& e) {
        throw BadRequest(e.what());
    }
    std::vector<std::string> policies;
    const io::RawGroup* root = nullptr;
    for (const auto& g : reader.groups()) {
        if (g.group.empty())
            root = &g;
        else
            policies.push_back(g.group.substr(std::string("policies/").size()));
    }
    if (!policies.empty()) {
        if (args.policy.empty()) {
            if (policies.size() > 1)
                throw BadRequest(args.file + " has " + std::to_string(policies.size()) +
                                 " policies (" + joined(policies) +
                                 "): say whose output the case is about with --policy");
            p.policy = policies.front();
        } else if (std::find(policies.begin(), policies.end(), args.policy) == policies.end()) {
            unknown(args.file, "policy", args.policy, policies);
        } else {
            p.policy = args.policy;
        }
        p.group = "policies/" + p.policy;
    } else if (!args.policy.empty()) {
        throw BadRequest(args.file + " has no policies (its outputs are under /outputs): drop "
                                     "--policy");
    }
    const io::RawGroup* group = root;
    for (const auto& g : reader.groups())
        if (g.group == p.group)
            group = &g;
    if (group == nullptr)
        throw BadRequest(args.file + ": no per-sample outputs");
    const auto* output = find_output(*group, p.expression.output);
    if (output == nullptr) {
        std::vector<std::string> names;
        for (const auto& o : group->outputs)
            names.push_back(o.name);
        unknown(args.file, "output", p.expression.output, names);
    }
    p.output = *output;
    const auto& years = reader.years();
    if (output->per_year) {
        if (!p.expression.year)
            throw BadRequest("'" + output->name + "' has one value per year: write " +
                             output->name + "[YEAR] (" + std::to_string(years.front()) + "-" +
                             std::to_string(years.back()) + ")");
        const auto it = std::find(years.begin(), years.end(), *p.expression.year);
        if (it == years.end())
            throw BadRequest("year " + std::to_string(*p.expression.year) +
                             " is outside the horizon of " + args.file + " (" +
                             std::to_string(years.front()) + "-" + std::to_string(years.back()) +
                             ")");
        p.year_index = static_cast<std::size_t>(it - years.begin());
    } else if (p.expression.year) {
        throw BadRequest("'" + output->name + "' is a scalar output: drop the [" +
                         std::to_string(*p.expression.year) + "]");
    }
    if (p.expression.regret)
        for (const auto& g : reader.groups()) {
            if (g.group.empty() && !policies.empty())
                continue;
            const auto* o = find_output(g, output->name);
            if (o == nullptr || o->per_year != output->per_year)
                throw BadRequest(args.file + ": " + g.group + " has no output '" + output->name +
                                 "' of the same shape, so no regret");
            p.all_groups.emplace_back(g.group, *o);
        }

    const auto& names = reader.inputs();
    p.inputs_given = !args.inputs.empty();
    for (const auto& name : args.inputs) {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
            unknown(args.file, "input", name, names);
        const auto k = static_cast<std::size_t>(it - names.begin());
        if (std::find(p.inputs.begin(), p.inputs.end(), k) == p.inputs.end())
            p.inputs.push_back(k);
    }
    if (args.inputs.empty())
        for (std::size_t k = 0; k < names.size(); ++k)
            p.inputs.push_back(k);
    // Parameter order, whatever the order of --inputs: the columns of every (steps, inputs)
    // dataset, and the order in which EMA's rules try the candidates.
    std::sort(p.inputs.begin(), p.inputs.end());

    p.name = args.name.empty() ? first_free_name(args.file) : args.name;
    if (p.name.find('/') != std::string::npos || p.name == "." || p.name == "..")
        throw BadRequest("--name '" + p.name + "' is not a plain name (no '/')");
    if (!args.overwrite && io::discovery_exists(args.file, p.name))
        throw BadRequest(args.file + " already has /discovery/" + p.name +
                         ": choose another --name, or replace it with --overwrite");
    return p;
}

/// This rank's rows: the inputs (columns) and the case flag.
struct LocalRows {
    std::uint64_t first = 0, count = 0;
    std::vector<std::vector<double>> columns;
    std::vector<std::uint8_t> is_case;
};

LocalRows read_rows(const io::RawRowReader& reader, const Plan& plan, const DiscoverArguments& args,
                    const parallel::MpiSession& mpi, discovery::Reduction& reduction,
                    std::uint64_t& undefined_cases) {
    LocalRows local;
    const std::uint64_t n = reader.rows(), ranks = static_cast<std::uint64_t>(mpi.size()),
                        rank = static_cast<std::uint64_t>(mpi.rank());
    local.first = n * rank / ranks;
    local.count = n * (rank + 1) / ranks - local.first;
    const std::uint64_t chunk = std::max<std::uint64_t>(args.chunk_rows, 1);
    std::uint64_t non_finite = 0;
    local.columns.resize(plan.inputs.size());
    for (std::size_t i = 0; i < plan.inputs.size(); ++i) {
        auto& column = local.columns[i];
        column.resize(local.count);
        for (std::uint64_t at = 0; at < local.count; at += chunk) {
            const auto len = std::min(chunk, local.count - at);
            reader.read_input_rows(plan.inputs[i], local.first + at,
                                   std::span<double>(column).subspan(at, len));
        }
        for (auto& x : column) {
            if (x == 0.0)
                x = 0.0; // one zero: -0.0 and +0.0 are the same limit
            non_finite += !std::isfinite(x);
        }
    }

    local.is_case.resize(local.count);
    std::vector<double> value(std::min(chunk, std::max<std::uint64_t>(local.count, 1)));
    std::vector<double> best(plan.expression.regret ? value.size() : 0), other(best.size());
    std::uint64_t undefined = 0;
    const bool higher = plan.expression.higher_is_better;
    for (std::uint64_t at = 0; at < local.count; at += chunk) {
        const auto len = std::min(chunk, local.count - at);
        const std::span<double> v(value.data(), len);
        reader.read_output_rows(plan.group, plan.output, plan.year_index, local.first + at, v);
        if (plan.expression.regret) {
            std::copy(v.begin(), v.end(), best.begin());
            for (const auto& [group, output] : plan.all_groups) {
                reader.read_output_rows(group, output, plan.year_index, local.first + at,
                                        std::span<double>(other.data(), len));
                for (std::size_t i = 0; i < len; ++i)
                    best[i] =
                        std::isnan(other[i]) || std::isnan(best[i])
                            ? std::numeric_limits<double>::quiet_NaN()
                            : (higher ? std::max(best[i], other[i]) : std::min(best[i], other[i]));
            }
            for (std::size_t i = 0; i < len; ++i)
                v[i] = discovery::regret_of(v[i], best[i], higher);
        }
        for (std::size_t i = 0; i < len; ++i) {
            undefined += std::isnan(v[i]);
            local.is_case[at + i] = plan.expression.holds(v[i]) ? 1 : 0;
        }
    }
    std::vector<std::uint64_t> counts{non_finite, undefined};
    reduction.sum(counts);
    if (counts[0] > 0)
        throw BadRequest(args.file + ": " + std::to_string(counts[0]) +
                         " input value(s) are not finite; PRIM needs finite inputs");
    undefined_cases = counts[1];
    return local;
}

/// Drops inputs constant over all rows (unless the user named them): no box can restrict one.
std::vector<std::string> drop_constant_inputs(LocalRows& local, Plan& plan,
                                              const std::vector<std::string>& names,
                                              discovery::Reduction& reduction) {
    const std::size_t d = plan.inputs.size();
    std::vector<double> ends(2 * d, std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < d; ++i)
        for (const double x : local.columns[i]) {
            ends[2 * i] = std::min(ends[2 * i], x);
            ends[2 * i + 1] = std::min(ends[2 * i + 1], -x);
        }
    reduction.min(ends);
    std::vector<std::string> dropped;
    if (plan.inputs_given)
        return dropped;
    std::vector<std::size_t> kept;
    std::vector<std::vector<double>> columns;
    for (std::size_t i = 0; i < d; ++i) {
        if (ends[2 * i] == -ends[2 * i + 1]) {
            dropped.push_back(names[plan.inputs[i]]);
            continue;
        }
        kept.push_back(plan.inputs[i]);
        columns.push_back(std::move(local.columns[i]));
    }
    plan.inputs = std::move(kept);
    local.columns = std::move(columns);
    return dropped;
}

std::string number(double x) {
    char text[40];
    std::snprintf(text, sizeof text, "%.6g", x);
    return text;
}

std::string p_value(double p) {
    if (std::isnan(p))
        return "-";
    char text[40];
    std::snprintf(text, sizeof text, p < 1e-3 ? "%.1e" : "%.3f", p);
    return text;
}

void print_results(const io::DiscoveryRecord& r, const Plan& plan, std::ostream& out) {
    const auto& t = r.trajectory;
    out << "case " << plan.expression.text();
    if (!plan.policy.empty())
        out << " (policy " << plan.policy << ")";
    out << ": " << t.cases << " of " << t.rows << " rows\n\n";
    out << "PRIM trajectory (" << t.peels << " peels, " << t.pastes << " pastes)\n";
    char line[160];
    std::snprintf(line, sizeof line, "%5s  %9s  %9s  %9s  %7s\n", "step", "coverage", "density",
                  "mass", "res_dim");
    out << line;
    for (std::size_t i = 0; i < t.steps.size(); ++i) {
        const auto& s = t.steps[i];
        std::snprintf(line, sizeof line, "%5zu  %9.4f  %9.4f  %9.4f  %7zu%s\n", i, s.coverage,
                      s.density, s.mass, s.restricted,
                      i == r.chosen ? "  <- chosen"
                                    : (i == t.peels + 1 && t.pastes ? "  (paste)" : ""));
        out << line;
    }
    const auto& box = t.steps[r.chosen];
    out << "\nbox " << r.chosen << ": coverage " << number(box.coverage) << ", density "
        << number(box.density) << ", mass " << number(box.mass) << " (" << box.cases << " cases in "
        << box.rows << " rows)\n";
    std::size_t width = 5;
    for (const auto& q : r.quasi_p)
        width = std::max(width, r.inputs[q.input].size());
    std::snprintf(line, sizeof line, "%-*s  %12s  %12s  %27s  %9s  %9s\n", static_cast<int>(width),
                  "input", "lower", "upper", "original range", "qp lower", "qp upper");
    out << line;
    for (const auto& q : r.quasi_p) {
        const std::size_t j = q.input;
        const std::string range = number(t.initial.lower[j]) + " - " + number(t.initial.upper[j]);
        std::snprintf(line, sizeof line, "%-*s  %12s  %12s  %27s  %9s  %9s\n",
                      static_cast<int>(width), r.inputs[j].c_str(),
                      number(box.limits.lower[j]).c_str(), number(box.limits.upper[j]).c_str(),
                      range.c_str(), p_value(q.lower).c_str(), p_value(q.upper).c_str());
        out << line;
    }
    if (r.quasi_p.empty())
        out << "(no input restricted: the box is every row)\n";
    if (r.cart_leaves.empty())
        return;
    out << "\nCART leaves (Gini splits on quantile-bin edges)\n";
    for (const auto& leaf : r.cart_leaves) {
        std::string rule;
        for (std::size_t j = 0; j < r.inputs.size(); ++j) {
            const bool lo = std::isfinite(leaf.lower[j]), hi = std::isfinite(leaf.upper[j]);
            if (!lo && !hi)
                continue;
            if (!rule.empty())
                rule += ", ";
            if (lo)
                rule += number(leaf.lower[j]) + " < ";
            rule += r.inputs[j];
            if (hi)
                rule += " <= " + number(leaf.upper[j]);
        }
        if (rule.empty())
            rule = "(all rows)";
        std::snprintf(
            line, sizeof line, "  n %10llu  cases %10llu  density %.4f  ",
            static_cast<unsigned long long>(leaf.rows), static_cast<unsigned long long>(leaf.cases),
            leaf.rows ? static_cast<double>(leaf.cases) / static_cast<double>(leaf.rows) : 0.0);
        out << line << rule << '\n';
    }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The collective part: every rank reads its rows and takes part in every reduction; rank 0
/// prints and writes. Returns the exit code on rank 0.
int discover(const DiscoverArguments& args, const std::string& command_line,
             const parallel::MpiSession& mpi) {
    const auto start = std::chrono::steady_clock::now();
    const bool root = mpi.is_root();
    std::optional<io::RawRowReader> reader_slot(std::in_place, args.file);
    const auto& reader = *reader_slot;
    auto plan = make_plan(reader, args);
    parallel::MpiReduction reduction(mpi.world());
    std::uint64_t undefined = 0;
    auto local = read_rows(reader, plan, args, mpi, reduction, undefined);
    const auto dropped = drop_constant_inputs(local, plan, reader.inputs(), reduction);
    const double read_seconds = seconds_since(start);
    if (root && !dropped.empty() && !args.quiet)
        std::cerr << "chiprace: note: constant over all rows, so left out: " << joined(dropped)
                  << '\n';
    if (root && undefined > 0)
        std::cerr << "chiprace: note: " << undefined
                  << " row(s) have an undefined (NaN) case value; they count as not cases\n";
    if (plan.inputs.empty())
        throw BadRequest(args.file + ": no input varies over the rows; nothing to discover");

    io::DiscoveryRecord record;
    record.name = plan.name;
    for (const auto k : plan.inputs)
        record.inputs.push_back(reader.inputs()[k]);
    discovery::PrimRows rows;
    for (const auto& c : local.columns)
        rows.columns.emplace_back(c);
    rows.is_case = local.is_case;
    const discovery::PrimSettings settings{args.peel_alpha, args.paste_alpha, args.mass_min};
    const auto prim_start = std::chrono::steady_clock::now();
    try {
        record.trajectory = discovery::prim(rows, settings, reduction);
    } catch (const std::invalid_argument& e) {
        std::string why = e.what();
        if (why.find("no row is a case") != std::string::npos)
            throw BadRequest(args.file + ": no row meets the case " + plan.expression.text() +
                             (plan.policy.empty() ? "" : " under " + plan.policy) +
                             ": there is nothing to discover");
        throw BadRequest(why);
    }
    const double prim_seconds = seconds_since(prim_start);
    const auto& t = record.trajectory;
    if (args.box >= 0) {
        if (static_cast<std::size_t>(args.box) >= t.steps.size())
            throw BadRequest("--box " + std::to_string(args.box) + ": the trajectory has steps " +
                             "0-" + std::to_string(t.steps.size() - 1));
        record.chosen = static_cast<std::size_t>(args.box);
    } else {
        record.chosen = discovery::choose_step(t, args.threshold);
        if (root && t.steps[record.chosen].density < args.threshold)
            std::cerr << "chiprace: note: no box reaches density " << args.threshold
                      << "; chose the densest, step " << record.chosen << '\n';
    }
    record.quasi_p = discovery::quasi_p(rows, t.steps[record.chosen].limits, t.initial, reduction);
    if (args.cart_depth > 0) {
        discovery::CartSettings cs;
        cs.depth = args.cart_depth;
        // As the EMA Workbench's CART does: no leaf smaller than PRIM's minimum mass.
        cs.min_leaf_rows = std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(std::ceil(args.mass_min * static_cast<double>(t.rows))));
        record.cart_leaves = discovery::cart(rows.columns, rows.is_case, cs, reduction);
    }
    reader_slot.reset(); // the file is replaced below; no rank keeps it open
    local = LocalRows{};
    if (!root)
        return exit_code::success;

    const auto build = build_info();
    record.attributes = {
        {"case", plan.expression.text()},
        {"policy", plan.policy},
        {"peel_alpha", args.peel_alpha},
        {"paste_alpha", args.paste_alpha},
        {"mass_min", args.mass_min},
        {"threshold", args.threshold},
        {"selection", std::string(args.box >= 0 ? "--box" : "threshold")},
        {"cart_depth", static_cast<std::int64_t>(args.cart_depth)},
        {"objective", std::string("lenient1 (EMA Workbench 2.5.3 semantics)")},
        {"mpi_ranks", static_cast<std::int64_t>(mpi.size())},
        {"created_utc", utc_now_iso8601()},
        {"command_line", command_line},
        {"software_version", build.version},
        {"git_revision", revision_label(build)},
    };
    if (!args.quiet)
        print_results(record, plan, std::cout);
    TemporaryCopy copy(args.file, args.file + ".discover.partial");
    io::write_discovery(copy.path(), record);
    io::publish_result_file(copy.path(), args.file);
    copy.published();
    if (!args.quiet) {
        char text[200];
        std::snprintf(text, sizeof text,
                      "chiprace: wrote /discovery/%s into %s (%llu rows, %zu inputs, %d rank(s); "
                      "read %.2f s, PRIM %.2f s, total %.2f s)\n",
                      plan.name.c_str(), args.file.c_str(), static_cast<unsigned long long>(t.rows),
                      record.inputs.size(), mpi.size(), read_seconds, prim_seconds,
                      seconds_since(start));
        std::cerr << text;
    }
    return exit_code::success;
}

} // namespace

CLI::App* add_discover_command(CLI::App& app, DiscoverArguments& args) {
    auto* cmd = app.add_subcommand(
        "discover",
        "Scenario discovery on a raw result file: PRIM (peeling and pasting, EMA Workbench "
        "semantics) finds a box of inputs where a case of interest concentrates, with a CART "
        "summary; written into the file under /discovery/<name>; runs on any number of MPI "
        "ranks with the same result; see docs/discover.md");
    cmd->add_option("file", args.file,
                    "Result file of a run with output.store = \"raw\"; updated in place through "
                    "a temporary copy, FILE.discover.partial")
        ->required();
    cmd->add_option("--case", args.case_expression,
                    "The case of interest: OUTPUT[YEAR] OP X (no [YEAR] for a scalar output) or "
                    "regret(OUTPUT[YEAR], higher|lower) OP X, with OP one of < <= > >=; regret "
                    "is the best policy's value in the row minus this policy's (higher is "
                    "better) or this policy's minus the best's (lower is better)")
        ->required();
    cmd->add_option("--policy", args.policy,
                    "Whose output the case is about (required when the file has several "
                    "policies)");
    cmd->add_option("--name", args.name,
                    "Store under /discovery/NAME (default: the first free box1, box2, ...)");
    cmd->add_flag("--overwrite", args.overwrite, "Replace an existing /discovery/NAME");
    cmd->add_option("--inputs", args.inputs,
                    "Inputs PRIM may restrict; repeatable or comma-separated (default: every "
                    "sampled parameter that is not constant)")
        ->type_name("NAME")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--peel-alpha", args.peel_alpha,
                    "Share of the box's rows each peel removes (EMA's peel_alpha)")
        ->check(CLI::Range(0.0, 0.5))
        ->capture_default_str();
    cmd->add_option("--paste-alpha", args.paste_alpha,
                    "Share of the candidate rows each paste adds back (EMA's paste_alpha)")
        ->check(CLI::Range(0.0, 0.5))
        ->capture_default_str();
    cmd->add_option("--mass-min", args.mass_min,
                    "Smallest share of all rows a box may keep: peeling stops there")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    auto* threshold = cmd->add_option("--threshold", args.threshold,
                                      "Choose the step of highest coverage among those with "
                                      "density >= THRESHOLD (the densest when none reaches it)")
                          ->check(CLI::Range(0.0, 1.0))
                          ->capture_default_str();
    cmd->add_option("--box", args.box, "Choose step INDEX of the trajectory instead (0: all rows)")
        ->type_name("INDEX")
        ->check(CLI::NonNegativeNumber)
        ->excludes(threshold);
    cmd->add_option("--cart-depth", args.cart_depth,
                    "Depth of the CART summary tree (0: no tree); splits on 256 quantile bins "
                    "per input, no leaf below --mass-min of the rows")
        ->check(CLI::Range(0, 12))
        ->capture_default_str();
    cmd->add_option("--chunk-rows", args.chunk_rows,
                    "Rows read per HDF5 call; memory per rank is its share of the rows plus a "
                    "few chunks")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", args.quiet,
                  "Print nothing but errors, warnings and notes (no tables)");
    cmd->add_flag("--debug", args.debug, "Show HDF5's own error stack on I/O failures");
    return cmd;
}

int command_discover(const DiscoverArguments& args, const std::string& command_line,
                     const parallel::MpiSession& mpi) {
    io::set_hdf5_error_printing(args.debug);
    const bool root = mpi.is_root();
    auto refuse = [root](const std::string& message) {
        if (root)
            std::cerr << "chiprace: error: " << message << '\n';
        return exit_code::bad_input;
    };
    // The checks of `chiprace info` first: a chiprace file, a version we read, complete. Every
    // rank makes them on the same file, so all refuse together.
    try {
        const auto overview = io::read_result_overview(args.file);
        if (!overview.has_raw_rows) {
            std::string msg = args.file;
            msg += ": no per-sample rows (the run used store = \"";
            msg += overview.attribute("store");
            msg += "\"); scenario discovery needs a run with --set output.store=raw";
            return refuse(msg);
        }
    } catch (const RuntimeFailure& e) {
        return refuse(e.what());
    }
    int code = exit_code::success;
    try {
        code = discover(args, command_line, mpi);
    } catch (const BadRequest& e) {
        // Raised alike on every rank (decisions from the same file and the same reductions).
        return refuse(e.what());
    } catch (const RuntimeFailure& e) {
        std::cerr << "chiprace: error: " << e.what() << '\n';
        if (mpi.size() > 1)
            mpi.abort(exit_code::failure); // the other ranks may wait in a reduction
        return exit_code::failure;
    }
    // Rank 0 wrote the file; every rank ends with its outcome.
    int shared = code;
    MPI_Bcast(&shared, 1, MPI_INT, 0, mpi.world());
    return shared;
}

void print_discovery_note(const std::string& path, std::ostream& out) {
    const auto names = io::list_discoveries(path);
    if (names.empty())
        return;
    out << "\nscenario discovery  " << joined(names) << " (/discovery/<name>, chiprace discover)\n";
}

} // namespace chiprace::app
