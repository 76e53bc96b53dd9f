#include "chiprace/app/analyze_command.hpp"

#include "chiprace/app/build_info.hpp"
#include "chiprace/app/temporary_copy.hpp"
#include "chiprace/config/toml_diagnostics.hpp"
#include "chiprace/core/exit_code.hpp"
#include "chiprace/core/utc_time.hpp"
#include "chiprace/io/hdf5_handle.hpp"
#include "chiprace/io/rank_correlation_writer.hpp"
#include "chiprace/io/raw_row_reader.hpp"
#include "chiprace/io/result_file.hpp"
#include "chiprace/io/result_reader.hpp"
#include "chiprace/stats/rank_correlation.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <set>

namespace chiprace::app {

namespace {

/// What the user asked for cannot be done with this file: exit code 2, like a bad config.
class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Selection {
    std::set<std::string> outputs;
    std::vector<std::size_t> year_indices; // into RawRowReader::years(), ascending
    std::vector<int> years;
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

Selection select(const io::RawRowReader& reader, const AnalyzeArguments& args) {
    Selection s;
    std::set<std::string> available;
    for (const auto& g : reader.groups())
        for (const auto& o : g.outputs)
            available.insert(o.name);
    for (const auto& name : args.outputs) {
        if (available.count(name) == 0) {
            const std::vector<std::string> names(available.begin(), available.end());
            const std::vector<std::string_view> views(names.begin(), names.end());
            std::string msg = args.file;
            msg += ": no output '";
            msg += name;
            msg += "'";
            if (!reader.kept_outputs().empty()) {
                msg += " with per-sample rows: the run kept the rows of ";
                msg += joined(names);
                msg += " only (output.keep)";
                throw BadRequest(msg);
            }
            if (const auto guess = config::closest_match(name, views)) {
                msg += "; did you mean '";
                msg += *guess;
                msg += "'?";
            } else {
                msg += " (outputs: ";
                msg += joined(names);
                msg += ")";
            }
            throw BadRequest(msg);
        }
        s.outputs.insert(name);
    }
    if (s.outputs.empty())
        s.outputs = available;

    const auto& years = reader.years();
    if (!args.years.empty() && years.empty())
        throw BadRequest(args.file + ": no time axis (/time), so --year does not apply");
    for (const int y : args.years) {
        const auto it = std::find(years.begin(), years.end(), y);
        if (it == years.end()) {
            std::string msg = "--year ";
            msg += std::to_string(y);
            msg += " is outside the horizon of ";
            msg += args.file;
            msg += " (";
            msg += std::to_string(years.front());
            msg += "-";
            msg += std::to_string(years.back());
            msg += ")";
            throw BadRequest(msg);
        }
        s.year_indices.push_back(static_cast<std::size_t>(it - years.begin()));
    }
    if (args.years.empty())
        for (std::size_t t = 0; t < years.size(); ++t)
            s.year_indices.push_back(t);
    std::sort(s.year_indices.begin(), s.year_indices.end());
    s.year_indices.erase(std::unique(s.year_indices.begin(), s.year_indices.end()),
                         s.year_indices.end());
    for (const auto t : s.year_indices)
        s.years.push_back(years[t]);
    return s;
}

std::string column_label(const std::string& group, const std::string& output, bool per_year,
                         int year) {
    std::string s = group.empty() ? std::string("outputs/") : group + "/outputs/";
    s += output;
    if (per_year) {
        s += '[';
        s += std::to_string(year);
        s += ']';
    }
    return s;
}

/// What the columns had in common that the user should hear about once, not per column.
struct Notes {
    std::set<std::size_t> constant_inputs;
    std::size_t constant_outputs = 0, too_few_rows = 0, columns_with_drops = 0, no_rows = 0;
    std::uint64_t most_dropped = 0;
    std::string first_constant_output, first_too_few, most_dropped_column, first_no_rows;

    void add(const stats::RankCorrelationEstimate& e, const std::string& label) {
        constant_inputs.insert(e.constant_inputs.begin(), e.constant_inputs.end());
        if (e.constant_output && constant_outputs++ == 0)
            first_constant_output = label;
        if (e.too_few_rows && too_few_rows++ == 0)
            first_too_few = label;
        if (e.n_used < 2 && no_rows++ == 0)
            first_no_rows = label;
        if (e.n_dropped > 0) {
            ++columns_with_drops;
            if (e.n_dropped > most_dropped) {
                most_dropped = e.n_dropped;
                most_dropped_column = label;
            }
        }
    }

    void print(const std::vector<std::string>& inputs, std::uint64_t rows,
               std::ostream& err) const {
        if (!constant_inputs.empty()) {
            std::vector<std::string> names;
            for (const auto k : constant_inputs)
                names.push_back(inputs[k]);
            err << "chiprace: note: constant on the rows used, so without rank correlations "
                   "(NaN): "
                << joined(names) << '\n';
        }
        if (constant_outputs > 0)
            err << "chiprace: note: " << constant_outputs
                << " output column(s) are constant, so their coefficients are NaN (first: "
                << first_constant_output << ")\n";
        if (no_rows > 0)
            err << "chiprace: warning: " << no_rows
                << " output column(s) have fewer than two finite rows, so every coefficient is "
                   "NaN (first: "
                << first_no_rows << ")\n";
        if (too_few_rows > 0)
            err << "chiprace: warning: " << too_few_rows
                << " output column(s) have too few finite rows for SRRC and PRCC (NaN; first: "
                << first_too_few << ")\n";
        if (columns_with_drops > 0)
            err << "chiprace: note: " << columns_with_drops
                << " output column(s) had rows with non-finite values, left out of their "
                   "coefficients (most: "
                << most_dropped << " of " << rows << " rows in " << most_dropped_column
                << "; see n_dropped)\n";
    }
};

std::string megabytes(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
    return text;
}

int analyze(const AnalyzeArguments& args, const std::string& command_line) {
    const auto start = std::chrono::steady_clock::now();
    const io::RawRowReader reader(args.file);
    const auto selection = select(reader, args);
    const auto& inputs = reader.inputs();
    const std::uint64_t n = reader.rows();
    const std::size_t d = inputs.size();

    std::size_t columns = 0;
    for (const auto& g : reader.groups())
        for (const auto& o : g.outputs)
            if (selection.outputs.count(o.name))
                columns += o.per_year ? selection.year_indices.size() : 1;
    if (!args.quiet)
        std::cerr << "chiprace: analyzing " << args.file << ": " << d << " inputs, " << n
                  << " rows, " << selection.outputs.size() << " output(s) x "
                  << reader.groups().size() << " group(s), " << columns
                  << " column(s); ranks need about "
                  << megabytes(8.0 * static_cast<double>(n) * static_cast<double>(d + 1)) << "\n";

    // The inputs are ranked once; then one output column at a time is read and ranked.
    stats::RankCorrelation rc(n);
    std::vector<double> column(n);
    for (std::size_t k = 0; k < d; ++k) {
        reader.read_input(k, column);
        rc.add_input(column);
    }
    std::vector<io::RankCorrelationTable> tables;
    Notes notes;
    for (const auto& g : reader.groups()) {
        for (const auto& o : g.outputs) {
            if (!selection.outputs.count(o.name))
                continue;
            io::RankCorrelationTable table{g.group, o.name, o.units, o.per_year, {}};
            const std::vector<std::size_t> scalar{0};
            for (const auto t : o.per_year ? selection.year_indices : scalar) {
                const std::string label =
                    column_label(g.group, o.name, o.per_year, o.per_year ? reader.years()[t] : 0);
                reader.read_output(g.group, o, t, column);
                try {
                    table.columns.push_back(rc.analyse(column));
                } catch (const stats::SingularRankCorrelation& e) {
                    std::string msg = args.file;
                    msg += ": ";
                    msg += label;
                    msg += ": SRRC and PRCC are not defined: the ranks of input '";
                    msg += inputs[e.input()];
                    msg += "' are a linear combination of the other inputs' ranks (to within ";
                    char tolerance[32];
                    std::snprintf(tolerance, sizeof tolerance, "%g",
                                  stats::RankCorrelation::singular_tolerance);
                    msg += tolerance;
                    msg += " of their variance)";
                    throw RuntimeFailure(msg);
                }
                notes.add(table.columns.back(), label);
            }
            tables.push_back(std::move(table));
        }
    }

    const auto build = build_info();
    const std::vector<io::Attribute> provenance{
        {"created_utc", utc_now_iso8601()},
        {"command_line", command_line},
        {"software_version", build.version},
        {"git_revision", revision_label(build)},
    };
    // The original is replaced only by a complete file: an interrupted analyze leaves it as it
    // was (and at worst FILE.analyze.partial behind).
    TemporaryCopy copy(args.file, args.file + ".analyze.partial");
    io::write_rank_correlations(copy.path(), inputs, selection.years, tables, provenance);
    io::publish_result_file(copy.path(), args.file);
    copy.published();

    notes.print(inputs, n, std::cerr);
    if (!args.quiet) {
        const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
        std::cerr << "chiprace: wrote spearman, srrc and prcc of " << columns << " column(s) into "
                  << args.file << " in " << std::fixed << std::setprecision(2) << seconds.count()
                  << " s\n";
    }
    return exit_code::success;
}

} // namespace

CLI::App* add_analyze_command(CLI::App& app, AnalyzeArguments& args) {
    auto* cmd = app.add_subcommand(
        "analyze", "Rank correlations (Spearman, SRRC, PRCC) of every input with the stored "
                   "outputs of a raw result file, written into it under "
                   "<group>/rank_correlations/<output>; see docs/analyze.md");
    cmd->add_option("file", args.file,
                    "Result file of a run with output.store = \"raw\"; updated in place through "
                    "a temporary copy, FILE.analyze.partial")
        ->required();
    cmd->add_option("--output", args.outputs,
                    "Analyse this output only; repeatable, or comma-separated (default: every "
                    "output)")
        ->type_name("NAME")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--year", args.years,
                    "Analyse per-year outputs in this year only; repeatable, or comma-separated "
                    "(default: every year of /time)")
        ->type_name("Y")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_flag("-q,--quiet", args.quiet,
                  "Print nothing but errors, warnings and notes (no start and closing line)");
    cmd->add_flag("--debug", args.debug, "Show HDF5's own error stack on I/O failures");
    return cmd;
}

int command_analyze(const AnalyzeArguments& args, const std::string& command_line,
                    const parallel::MpiSession& mpi) {
    if (!mpi.is_root())
        return exit_code::success;
    io::set_hdf5_error_printing(args.debug);
    auto refuse = [](const std::string& message) {
        std::cerr << "chiprace: error: " << message << '\n';
        return exit_code::bad_input;
    };
    try {
        // The checks of `chiprace info` first: a chiprace file, a version we read, complete.
        const auto overview = io::read_result_overview(args.file);
        if (!overview.has_raw_rows) {
            std::string msg = args.file;
            msg += ": no per-sample rows (the run used store = \"";
            msg += overview.attribute("store");
            msg += "\"); rank correlations need a run with --set output.store=raw";
            return refuse(msg);
        }
        const auto design = overview.attribute("design");
        if (design == "saltelli" || design == "morris" || design == "grid")
            std::cerr << "chiprace: warning: " << args.file << " was sampled with the " << design
                      << " design, whose rows are not independent draws: the coefficients "
                         "describe those rows, and their sampling error is not that of a "
                         "random sample\n";
    } catch (const RuntimeFailure& e) {
        return refuse(e.what());
    }
    try {
        return analyze(args, command_line);
    } catch (const BadRequest& e) {
        return refuse(e.what());
    } catch (const RuntimeFailure& e) {
        std::cerr << "chiprace: error: " << e.what() << '\n';
        return exit_code::failure;
    }
}

void print_rank_correlation_note(const std::string& path, std::ostream& out) {
    const auto found = io::list_rank_correlations(path);
    if (found.empty())
        return;
    std::set<std::string> groups, outputs;
    for (const auto& p : found) {
        const auto cut = p.rfind("/rank_correlations/");
        groups.insert(cut == std::string::npos ? std::string() : p.substr(0, cut));
        outputs.insert(p.substr(p.rfind('/') + 1));
    }
    out << "\nrank correlations  spearman, srrc, prcc of " << outputs.size() << " output(s) in "
        << groups.size() << " group(s) (<group>/rank_correlations/<output>, chiprace analyze)\n";
}

} // namespace chiprace::app
