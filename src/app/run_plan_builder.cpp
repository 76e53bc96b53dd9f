#include "chiprace/app/run_plan_builder.hpp"

#include "chiprace/app/build_info.hpp"
#include "chiprace/core/utc_time.hpp"
#include "chiprace/design/grid_design.hpp"
#include "chiprace/design/latin_hypercube_design.hpp"
#include "chiprace/design/monte_carlo_design.hpp"
#include "chiprace/design/morris_design.hpp"
#include "chiprace/design/saltelli_design.hpp"
#include "chiprace/design/sobol_design.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <unistd.h>

namespace chiprace::app {

namespace {

std::string hostname() {
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

} // namespace

std::unique_ptr<design::Design> make_design(const config::Experiment& ex) {
    const std::size_t d = ex.parameters.dimension();
    const auto& o = ex.design_options;
    if (ex.design == "lhs")
        return std::make_unique<design::LatinHypercubeDesign>(ex.seed, d, ex.samples);
    if (ex.design == "sobol")
        return std::make_unique<design::SobolDesign>(ex.seed, d, ex.samples, o.scramble);
    if (ex.design == "saltelli") {
        // With adaptive stopping the design spans max_samples; the run stops at a prefix.
        const std::uint64_t n =
            ex.sensitivity.target_ci_width ? ex.sensitivity.max_samples : ex.samples;
        std::unique_ptr<design::Design> base;
        if (o.base == "mc")
            base = std::make_unique<design::MonteCarloDesign>(ex.seed, 2 * d, n);
        else
            base = std::make_unique<design::SobolDesign>(ex.seed, 2 * d, n, o.scramble);
        return std::make_unique<design::SaltelliDesign>(std::move(base), d, o.second_order);
    }
    if (ex.design == "morris")
        return std::make_unique<design::MorrisDesign>(ex.seed, d, ex.samples, o.levels);
    if (ex.design == "grid") {
        std::vector<design::GridAxis> axes;
        for (const auto& [name, values] : o.grid)
            axes.push_back({ex.parameters.index_of(name), name, values});
        return std::make_unique<design::GridDesign>(ex.seed, d, ex.samples, std::move(axes));
    }
    return std::make_unique<design::MonteCarloDesign>(ex.seed, d, ex.samples);
}

io::ResultLayout make_layout(const config::Experiment& ex, std::uint64_t runs) {
    io::ResultLayout layout;
    layout.n_samples = runs;
    layout.store_raw = ex.output.store == config::StoreMode::raw;
    layout.compression = ex.output.compression;
    layout.single_precision = ex.output.single_precision;
    const auto years = ex.model->years();
    layout.years.assign(years.begin(), years.end());
    layout.quantile_levels = ex.output.quantiles;
    layout.quantile_relative_error =
        std::ldexp(1.0, -static_cast<int>(ex.output.sketch_mantissa_bits) - 1);
    for (const auto& p : ex.parameters.parameters())
        layout.inputs.push_back({p.name, p.units, p.description, p.distribution.describe()});
    for (const auto& o : ex.model->outputs())
        layout.outputs.push_back({o.name, o.units, o.description, o.per_year, o.integer_valued});
    if (ex.output.keep)
        for (std::size_t k = 0; k < layout.outputs.size(); ++k)
            layout.outputs[k].kept = std::find(ex.output.keep->begin(), ex.output.keep->end(), k) !=
                                     ex.output.keep->end();
    for (const auto& e : ex.events) {
        using From = model::OutputEvent::Comparison;
        using To = stats::Comparison;
        const To comparison = e.event.comparison == From::less         ? To::less
                              : e.event.comparison == From::less_equal ? To::less_equal
                              : e.event.comparison == From::greater    ? To::greater
                                                                       : To::greater_equal;
        layout.outputs[e.output].events.push_back({e.event.name, comparison, e.event.threshold,
                                                   e.event.description, e.on_outputs,
                                                   e.on_contrasts});
    }
    for (std::size_t v = 0; v < ex.model->variant_count(); ++v) {
        const auto name = ex.model->variant_name(v);
        layout.variant_groups.push_back(name.empty() ? std::string{} : "policies/" + name);
    }
    for (const auto& o : ex.robustness)
        layout.robustness.push_back({o.name, o.output, o.year_index,
                                     o.direction == stats::Direction::higher, o.thresholds});
    if (ex.calibration.enabled) {
        io::CalibrationLayout c;
        c.min_ess = ex.calibration.min_ess;
        c.refuse_low_ess = ex.calibration.refuse_low_ess;
        c.posterior_outputs = ex.calibration.posterior_outputs;
        for (const auto& t : ex.calibration.targets) {
            io::CalibrationLayout::Target d;
            d.name = t.name;
            d.output = ex.model->outputs()[t.output].name;
            d.policy = t.policy;
            d.observation = std::string(stats::Observation::name(t.observation.kind));
            d.source = t.source;
            d.year = t.year ? *t.year : -1;
            const double nan = std::numeric_limits<double>::quiet_NaN();
            d.parameters[0] = t.observation.a;
            d.parameters[1] = t.observation.b;
            d.parameters[2] =
                t.observation.kind == stats::Observation::Kind::interval ? t.observation.c : nan;
            c.targets.push_back(std::move(d));
        }
        layout.calibration = std::move(c);
    }
    for (const auto& sweep : ex.policy_sweeps) {
        io::PolicySweepDescription d;
        d.name = sweep.name;
        d.based_on = sweep.based_on;
        d.description = sweep.description;
        d.sampled = sweep.sampled;
        d.seed = static_cast<std::int64_t>(sweep.seed);
        for (const auto& axis : sweep.axes) {
            d.levers.push_back(axis.lever_name);
            d.values.push_back(axis.values);
        }
        for (const auto& cell : sweep.cells) {
            d.cells.push_back(cell.policy);
            d.coordinates.push_back(cell.coordinates);
        }
        layout.policy_sweeps.push_back(std::move(d));
    }
    if (ex.sensitivity.enabled) {
        io::SensitivityLayout s;
        s.method = ex.design == "morris" ? io::SensitivityLayout::Method::morris
                                         : io::SensitivityLayout::Method::sobol;
        s.confidence_level = ex.sensitivity.confidence_level;
        s.bootstrap_replicates = ex.sensitivity.bootstrap;
        s.outputs = ex.sensitivity.outputs;
        s.years = ex.sensitivity.years;
        s.group_runs = ex.sensitivity.group_runs;
        s.second_order = ex.design == "saltelli" && ex.design_options.second_order;
        layout.sensitivity = s;
    }
    return layout;
}

io::RootMetadata make_metadata(const config::Experiment& ex, const design::Design& design,
                               const std::string& command_line, int ranks, int threads) {
    const auto info = build_info();
    io::RootMetadata m;
    auto add = [&](std::string name, io::AttributeValue v) {
        m.attributes.push_back({std::move(name), std::move(v)});
    };
    add("format", std::string(io::format_name));
    add("format_version", io::format_version_major);
    add("format_version_minor", io::format_version_minor);
    add("software", std::string("chiprace"));
    add("software_version", info.version);
    add("git_revision", info.git_revision);
    add("git_dirty", std::int64_t{info.git_dirty ? 1 : 0});
    add("compiler", info.compiler);
    add("mpi_library", info.mpi_library);
    add("hdf5_library", info.hdf5_library);
    add("boost_version", info.boost);
    add("created_utc", utc_now_iso8601());
    add("host", hostname());
    add("command_line", command_line);
    add("experiment", ex.name);
    add("model", ex.model_name);
    add("model_version", static_cast<std::int64_t>(ex.model->version()));
    // What `chiprace info` shows first for each policy: the model's headline outputs and years
    // (the file says, so that info needs neither the model nor its plug-in).
    if (ex.definition && (ex.model->variant_count() > 1 || !ex.model->years().empty())) {
        std::string outputs, years;
        std::vector<int> chosen_years = ex.definition->headline_years;
        if (chosen_years.empty() && !ex.model->years().empty())
            chosen_years = {ex.model->years().front(), ex.model->years().back()};
        for (const int y : chosen_years)
            years += (years.empty() ? "" : " ") + std::to_string(y);
        std::vector<std::string> chosen = ex.definition->headline_outputs;
        for (const auto& o : ex.model->outputs())
            if (chosen.size() < 3 && ex.definition->headline_outputs.empty() && o.per_year)
                chosen.push_back(o.name);
        for (const auto& o : chosen)
            outputs += (outputs.empty() ? "" : " ") + o;
        add("headline_outputs", outputs);
        add("headline_years", years);
    }
    if (!ex.plugins.empty()) { // only with plug-ins: other files' attributes stay as they were
        std::string text;
        for (const auto& p : ex.plugins)
            text += (text.empty() ? "" : "\n") + p["path"].get<std::string>() + " version " +
                    p["version"].get<std::string>() + " sha256 " + p["sha256"].get<std::string>();
        add("plugins", text);
    }
    add("seed", static_cast<std::int64_t>(ex.seed));
    add("design", ex.design);
    add("n_samples", static_cast<std::int64_t>(design.run_count()));
    add("n_base_samples", static_cast<std::int64_t>(ex.samples));
    add("block_size", static_cast<std::int64_t>(ex.block_size));
    add("store", std::string(ex.output.store == config::StoreMode::raw ? "raw" : "summary"));
    add("mpi_ranks", static_cast<std::int64_t>(ranks));
    add("omp_threads", static_cast<std::int64_t>(threads));
    add("config_schema_version", static_cast<std::int64_t>(config::schema_version));
    for (const char* var : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"}) {
        if (const char* v = std::getenv(var)) {
            std::string name = var;
            for (auto& ch : name)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            add(name, std::string(v));
        }
    }
    m.config_text = ex.source_text;
    m.config_resolved = ex.resolved.dump(2);
    for (const auto& fact : design.facts())
        std::visit([&](const auto& v) { m.design.push_back({fact.first, v}); }, fact.second);
    if (const auto* saltelli = dynamic_cast<const design::SaltelliDesign*>(&design)) {
        m.design_runs.push_back(
            {"role",
             "role of the run: 0 = A, 1 = B, 2 + k = A with column k from B, 2 + d + k = B with "
             "column k from A (k counts parameters from 0, in /config_resolved order)",
             [saltelli](std::uint64_t first, std::span<std::int32_t> out) {
                 for (std::size_t i = 0; i < out.size(); ++i)
                     out[i] = static_cast<std::int32_t>(saltelli->role(first + i));
             }});
    }
    if (const auto* morris = dynamic_cast<const design::MorrisDesign*>(&design)) {
        m.design_runs.push_back(
            {"moved_parameter",
             "parameter (index from 0) this run moved relative to the previous run of its "
             "trajectory; -1 for a trajectory's base point",
             [morris](std::uint64_t first, std::span<std::int32_t> out) {
                 for (std::size_t i = 0; i < out.size(); ++i) {
                     const auto k = morris->moved_dimension(first + i);
                     out[i] = k == morris->dimension() ? -1 : static_cast<std::int32_t>(k);
                 }
             }});
        m.design_runs.push_back(
            {"step_sign", "+1 or -1: direction of the move in the unit cube (0 for a base point)",
             [morris](std::uint64_t first, std::span<std::int32_t> out) {
                 for (std::size_t i = 0; i < out.size(); ++i) {
                     const double step = morris->step(first + i);
                     out[i] = step > 0 ? 1 : (step < 0 ? -1 : 0);
                 }
             }});
    }
    if (const auto* grid = dynamic_cast<const design::GridDesign*>(&design)) {
        m.design_runs.push_back(
            {"cell", "grid cell of the run (the first swept parameter varies slowest)",
             [grid](std::uint64_t first, std::span<std::int32_t> out) {
                 for (std::size_t i = 0; i < out.size(); ++i)
                     out[i] = static_cast<std::int32_t>((first + i) % grid->cells());
             }});
    }
    if (!ex.correlations.empty()) {
        std::string text;
        for (const auto& c : ex.correlations)
            text += (text.empty() ? "" : "; ") + c.first + " ~ " + c.second + ": " +
                    std::to_string(c.spearman);
        m.design.push_back({"rank_correlations", text});
        m.design.push_back({"copula", std::string("Gaussian; Pearson of normal scores = 2 sin(pi "
                                                  "rho_s / 6), Cholesky")});
    }
    for (std::size_t i = 0; i < ex.included_paths.size(); ++i)
        m.included.emplace_back(ex.included_paths[i], ex.included_texts[i]);
    return m;
}

parallel::RunPlan make_run_plan(const config::Experiment& ex, const design::Design& design,
                                const std::string& output, const std::string& command_line,
                                int ranks, int threads) {
    parallel::RunPlan plan;
    plan.model = ex.model.get();
    plan.parameters = &ex.parameters;
    plan.design = &design;
    plan.copula = ex.copula.get();
    plan.samples = design.run_count();
    plan.block_size = ex.block_size;
    plan.seed = ex.seed;
    plan.nonfinite_is_error = ex.output.nonfinite_is_error;
    if (ex.sensitivity.target_ci_width)
        plan.adaptive = parallel::RunPlan::Adaptive{ex.samples * ex.sensitivity.group_runs,
                                                    *ex.sensitivity.target_ci_width};
    plan.sketch_mantissa_bits = ex.output.sketch_mantissa_bits;
    plan.layout = make_layout(ex, design.run_count());
    for (const std::size_t ref : ex.references) { // each reference in turn, every other policy
        for (std::size_t v = 0; v < ex.model->variant_count(); ++v) {
            if (v == ref)
                continue;
            plan.contrasts.emplace_back(v, ref);
            plan.layout.contrast_groups.push_back("contrasts/" + ex.model->variant_name(v) +
                                                  "_vs_" + ex.model->variant_name(ref));
        }
    }
    for (const auto& t : ex.calibration.targets)
        plan.calibration_targets.push_back(
            {t.variant, plan.layout.column_of(t.output, t.year_index), t.observation});
    plan.metadata = make_metadata(ex, design, command_line, ranks, threads);
    // A resumed run must compute the same thing: everything but how it was asked for.
    auto identity = ex.resolved;
    identity.erase("overrides");
    identity.erase("includes");
    // A plug-in is the same plug-in wherever it lies and however it was named: its bytes.
    if (identity["experiment"].contains("plugins"))
        for (auto& p : identity["experiment"]["plugins"]) {
            p.erase("file");
            p.erase("path");
        }
    plan.identity = identity.dump();
    plan.software_version = build_info().version;
    plan.output_path = output;
    return plan;
}

} // namespace chiprace::app
