#include "chiprace/parallel/runner.hpp"

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/core/fault_injection.hpp"
#include "chiprace/core/utc_time.hpp"
#include "chiprace/design/morris_design.hpp"
#include "chiprace/io/checkpoint_file.hpp"
#include "chiprace/io/durable_rename.hpp"
#include "chiprace/io/file_size_probe.hpp"
#include "chiprace/io/finishing_rollback.hpp"
#include "chiprace/io/raw_row_writer.hpp"
#include "chiprace/io/result_file.hpp"
#include "chiprace/io/robustness_writer.hpp"
#include "chiprace/io/row_copy.hpp"
#include "chiprace/io/sensitivity_writer.hpp"
#include "chiprace/io/space_reservation.hpp"
#include "chiprace/parallel/block_schedule.hpp"
#include "chiprace/parallel/checkpoint_clock.hpp"
#include "chiprace/parallel/interrupt_guard.hpp"
#include "chiprace/parallel/mpi_session.hpp"
#include "chiprace/random/uniform_block.hpp"
#include "chiprace/stats/block_sums.hpp"
#include "chiprace/stats/column_summary.hpp"
#include "chiprace/stats/dyadic_reduction.hpp"
#include "chiprace/stats/event_count.hpp"
#include "chiprace/stats/interval.hpp"
#include "chiprace/stats/regret.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <omp.h>
#include <optional>

namespace chiprace::parallel {

namespace {

using Reduction = stats::DyadicReduction<stats::BlockSums>;

/// Pieces travel as doubles: (level, index, payload length) as bit patterns, then payload.
std::vector<double> pack(const std::vector<Reduction::Node>& pieces) {
    std::vector<double> out;
    for (const auto& p : pieces) {
        const auto payload = p.value.serialize();
        out.push_back(std::bit_cast<double>(std::uint64_t{p.id.level}));
        out.push_back(std::bit_cast<double>(p.id.index));
        out.push_back(std::bit_cast<double>(std::uint64_t{payload.size()}));
        out.insert(out.end(), payload.begin(), payload.end());
    }
    return out;
}

std::vector<Reduction::Node> unpack(std::span<const double> data) {
    std::vector<Reduction::Node> pieces;
    std::size_t pos = 0;
    while (pos < data.size()) {
        if (pos + 3 > data.size())
            throw RuntimeFailure("corrupt reduction message");
        const auto level = std::bit_cast<std::uint64_t>(data[pos]);
        const auto index = std::bit_cast<std::uint64_t>(data[pos + 1]);
        const auto len = std::bit_cast<std::uint64_t>(data[pos + 2]);
        pos += 3;
        if (len > data.size() - pos)
            throw RuntimeFailure("corrupt reduction message");
        pieces.push_back({{static_cast<std::uint32_t>(level), index},
                          stats::BlockSums::deserialize(data.subspan(pos, len))});
        pos += len;
    }
    return pieces;
}

template <class T>
std::vector<T> receive_vector(int source, int tag, MPI_Datatype type, MPI_Comm comm) {
    MPI_Status status;
    MPI_Probe(source, tag, comm, &status);
    int count = 0;
    MPI_Get_count(&status, type, &count);
    std::vector<T> data(static_cast<std::size_t>(count));
    MPI_Recv(data.data(), count, type, source, tag, comm, MPI_STATUS_IGNORE);
    return data;
}

/// The pieces of [0, B), in any order, folded as the dyadic tree folds them: sorted and pushed
/// in block order into a fresh reduction (the same tree whatever cut produced the pieces).
std::optional<stats::BlockSums> fold_pieces(std::vector<Reduction::Node> pieces) {
    std::sort(pieces.begin(), pieces.end(),
              [](const auto& a, const auto& b) { return a.id.first_block() < b.id.first_block(); });
    Reduction total;
    for (auto& p : pieces)
        total.push(std::move(p));
    return std::move(total).finish();
}

/// The widest interval of any first or total index of any analysed column: the percentile
/// bootstrap interval, or the delta method's without replicates. NaN counts as infinitely wide.
double widest_sobol_interval(const std::vector<Reduction::Node>& held, std::size_t slots,
                             double level) {
    const auto merged = fold_pieces(held);
    if (!merged)
        return std::numeric_limits<double>::infinity();
    double widest = 0.0;
    for (std::size_t slot = 0; slot < slots && slot < merged->sobol.size(); ++slot) {
        const auto e = merged->sobol[slot].estimate(level);
        const bool boot = merged->sobol[slot].replicates() >= 2;
        for (std::size_t k = 0; k < e.first.size(); ++k)
            for (const double w :
                 {boot ? e.first_high[k] - e.first_low[k] : 2 * e.first_delta_conf[k],
                  boot ? e.total_high[k] - e.total_low[k] : 2 * e.total_delta_conf[k]})
                widest =
                    std::isnan(w) ? std::numeric_limits<double>::infinity() : std::max(widest, w);
    }
    return widest;
}

/// The analysed columns of one group, in the order of the sensitivity results: each output of
/// [sensitivity] outputs, per analysed year for a series.
std::vector<std::size_t> analysed_columns(const io::ResultLayout& layout) {
    std::vector<std::size_t> targets;
    if (!layout.sensitivity)
        return targets;
    for (const std::size_t k : layout.sensitivity->outputs) {
        if (!layout.outputs[k].per_year) {
            targets.push_back(layout.column_of(k, 0));
            continue;
        }
        for (const int year : layout.sensitivity->years) {
            const auto it = std::find(layout.years.begin(), layout.years.end(), year);
            targets.push_back(
                layout.column_of(k, static_cast<std::size_t>(it - layout.years.begin())));
        }
    }
    return targets;
}

/// One counted event column: the samples of summary column `column` (over every group:
/// variants, then contrasts) that meet the event.
struct EventSlot {
    std::size_t column = 0;
    stats::Comparison comparison = stats::Comparison::less;
    double threshold = 0.0;
};

/// The event columns of a run in the order of the file's event datasets: per group (variants,
/// then contrasts), per output, per event that applies to the group, per year. Each group's
/// slots are contiguous, in the order io::write_summaries reads them.
std::vector<EventSlot> event_slots(const io::ResultLayout& layout, std::size_t variants,
                                   std::size_t contrasts) {
    std::vector<EventSlot> slots;
    const std::size_t columns = layout.columns_per_variant();
    for (std::size_t g = 0; g < variants + contrasts; ++g)
        for (std::size_t k = 0; k < layout.outputs.size(); ++k) {
            const auto& out = layout.outputs[k];
            for (const auto& e : out.events) {
                if (!e.applies(g >= variants))
                    continue;
                for (std::size_t t = 0; t < (out.per_year ? layout.years.size() : 1); ++t)
                    slots.push_back(
                        {g * columns + layout.column_of(k, t), e.comparison, e.threshold});
            }
        }
    return slots;
}

/// A generous bound on what one finishing phase adds to OUT.partial: every summary value and
/// sensitivity estimate at 8 bytes, and per dataset or group HDF5's headers, links and
/// dimension-scale references, measured at about 0.6 kB and counted as 1 kB; twice that, and
/// 1 MB at least. Reserved before each phase (io::reserve_space), so that a disk too full for
/// it fails the run before OUT.partial changes, and --resume can finish once space is freed.
std::uint64_t finishing_bytes(const io::ResultLayout& layout, std::size_t inputs) {
    const std::uint64_t groups = layout.variant_groups.size() + layout.contrast_groups.size();
    std::uint64_t columns = 0;
    for (const auto& o : layout.outputs)
        columns += o.per_year ? layout.years.size() : 1;
    const std::uint64_t targets = analysed_columns(layout).size();
    const std::uint64_t per_target = (inputs + 1) * (inputs + 1) * 12; // up to second order
    const std::uint64_t variants = layout.variant_groups.size();
    std::uint64_t robustness_values = 0;
    for (const auto& o : layout.robustness)
        robustness_values += variants * (layout.quantile_levels.size() + 16) +
                             4 * variants * (variants + o.thresholds.size() + 1);
    // A calibrated run writes every group's summaries twice, and its inputs' twice.
    const std::uint64_t summaries = layout.calibration ? 2 : 1;
    const std::uint64_t calibration_values =
        layout.calibration ? 2 * inputs * (layout.quantile_levels.size() + 16) +
                                 4 * layout.calibration->targets.size() + 16
                           : 0;
    const std::uint64_t values =
        groups *
            (summaries * columns * (layout.quantile_levels.size() + 16) + targets * per_target) +
        robustness_values + calibration_values;
    const std::uint64_t objects =
        groups * (summaries * layout.outputs.size() * 16 + targets * 12 + 8) + 64 +
        layout.robustness.size() * 32 + (layout.calibration ? 2 * inputs * 16 + 32 : 0);
    return std::max<std::uint64_t>(std::uint64_t{1} << 20, 2 * (8 * values + 1024 * objects));
}

/// Blocks [first, end) of part i of n: equal contiguous shares of the run's blocks.
std::pair<std::uint64_t, std::uint64_t> part_blocks(const RunPlan::Part& part,
                                                    std::uint64_t blocks) {
    return {blocks * part.index / part.count, blocks * (part.index + 1) / part.count};
}

/// A round: up to per_round consecutive blocks [first, end) of one segment of a rank's share.
struct Round {
    std::size_t segment = 0;
    std::uint64_t first = 0, end = 0;
};

/// A rank's rounds, computed on demand: a list of them would grow with the run (2^53 runs in
/// 2^20-run rounds are 2^33 rounds), while a share has only a few segments.
class RoundSchedule {
public:
    RoundSchedule(std::vector<BlockRange> segments, std::uint64_t per_round)
        : segments_(std::move(segments)), per_round_(per_round) {
        for (const auto& s : segments_) {
            starts_.push_back(count_);
            count_ += (s.end - s.first + per_round_ - 1) / per_round_;
        }
    }
    [[nodiscard]] std::uint64_t size() const { return count_; }
    [[nodiscard]] bool empty() const { return count_ == 0; }
    [[nodiscard]] Round operator[](std::uint64_t round) const {
        const auto next = std::upper_bound(starts_.begin(), starts_.end(), round);
        const auto i = static_cast<std::size_t>(next - starts_.begin()) - 1;
        const std::uint64_t first = segments_[i].first + (round - starts_[i]) * per_round_;
        return {i, first, std::min(segments_[i].end, first + per_round_)};
    }

private:
    std::vector<BlockRange> segments_;
    std::uint64_t per_round_;
    std::vector<std::uint64_t> starts_; // first round of each segment
    std::uint64_t count_ = 0;
};

/// Why a ledger cannot continue this run, or nothing: what the user changed, in their words.
std::string resume_mismatch(const io::Checkpoint& c, const RunPlan& plan) {
    auto major = [](const std::string& v) { return v.substr(0, v.find('.')); };
    if (major(c.software_version) != major(plan.software_version))
        return "the checkpoint was written by chiprace " + c.software_version + ", this is " +
               plan.software_version + " (another major version)";
    std::string why;
    try {
        const auto old_config = nlohmann::json::parse(c.config_resolved);
        const auto new_config = nlohmann::json::parse(plan.identity);
        int shown = 0;
        for (const auto& op : nlohmann::json::diff(old_config, new_config)) {
            const auto path = op["path"].template get<std::string>();
            if (path.rfind("/experiment/plugins", 0) == 0) {
                // The plug-in's bytes: the checkpoint's rows came from another build of the model.
                return "a model plug-in changed since the checkpoint (" + path.substr(1) +
                       "): resume with the plug-in the run began with, or start over with --force";
            }
            const nlohmann::json::json_pointer ptr(path);
            std::string item = path.substr(1);
            std::replace(item.begin(), item.end(), '/', '.');
            item += ": ";
            item += old_config.contains(ptr) ? old_config.at(ptr).dump() : std::string("(none)");
            item += " -> ";
            item += new_config.contains(ptr) ? new_config.at(ptr).dump() : std::string("(none)");
            why += (why.empty() ? "" : "; ") + item;
            if (++shown == 4)
                break;
        }
    } catch (const nlohmann::json::exception&) {
        if (c.config_resolved != plan.identity)
            why = "the experiment differs";
    }
    if (why.empty() &&
        (c.seed != plan.seed || c.block_size != plan.block_size || c.runs != plan.samples))
        why = "seed, block size or sample count differ";
    return why.empty() ? std::string{} : "the experiment changed since the checkpoint: " + why;
}

constexpr int tag_moments = 101;
constexpr int tag_sketches = 102;

/// A calibrated run's posterior columns ([calibration] outputs in every group, in the order of
/// the summary columns): the group column of each. The inputs' follow them.
std::vector<std::size_t> posterior_group_columns(const io::ResultLayout& layout,
                                                 std::size_t groups) {
    std::vector<std::size_t> chosen;
    if (!layout.calibration)
        return chosen;
    for (std::size_t g = 0, c = 0; g < groups; ++g)
        for (std::size_t k = 0; k < layout.outputs.size(); ++k) {
            const std::size_t width = layout.outputs[k].per_year ? layout.years.size() : 1;
            for (std::size_t t = 0; t < width; ++t, ++c)
                if (layout.calibration->has_posterior(k))
                    chosen.push_back(c);
        }
    return chosen;
}

/// One thread's buffers for computing a block: its design points, inputs, outputs and the
/// sensitivity sums' scratch.
struct BlockWorkspace {
    std::vector<double> unit, values, outputs, difference, weights, weight, f_ab, f_ba, steps;
    std::vector<std::size_t> moved;
    std::vector<double> objective, regret;  // one robustness objective's column of every variant
    std::vector<double> calibration_weight; // each sample's weight (calibrated runs)
    std::vector<std::uint64_t> calibration_units; // the same in sketch units
};

} // namespace

/// Rank 0: the summaries and sensitivity results of the finished blocks, then the file is
/// published and the ledger removed.
void finish_results(const RunPlan& plan, std::vector<Reduction::Node> held,
                    const stats::SketchSet& sketch, std::uint64_t samples_run,
                    const std::string& stopping_reason, double widest, RunReport& report) {
    const auto& model = *plan.model;
    const std::size_t variants = model.variant_count();
    const std::size_t columns = model.column_count();
    const std::size_t contrasts = plan.contrasts.size();
    const auto& sens = plan.layout.sensitivity;
    const bool morris = sens && sens->method == io::SensitivityLayout::Method::morris;
    const std::size_t per_group = analysed_columns(plan.layout).size();
    const std::string partial = plan.output_path + ".partial";
    const std::string checkpoint_path = plan.output_path + ".checkpoint";
    auto merged = fold_pieces(std::move(held));
    if (!merged)
        throw RuntimeFailure("no block was computed");
    const auto slots = event_slots(plan.layout, variants, contrasts);
    std::size_t counted = slots.size();
    for (const auto& o : plan.layout.robustness)
        counted += stats::robustness_count_size(variants, o.thresholds.size());
    if (merged->events.size() != counted)
        throw RuntimeFailure("the event counts do not match the experiment's events");
    // Each group's event counts: its contiguous share of the slots.
    std::size_t next_slot = 0;
    auto take_events = [&](io::SummaryGroup& g, std::size_t group) {
        g.contrast = group >= variants;
        g.event_samples = samples_run;
        while (next_slot < slots.size() && slots[next_slot].column / columns == group)
            g.event_counts.push_back(merged->events[next_slot++]);
    };
    std::vector<io::SummaryGroup> groups;
    for (std::size_t v = 0; v < variants; ++v) {
        io::SummaryGroup g{plan.layout.variant_groups[v], {}};
        take_events(g, v);
        for (std::size_t c = 0; c < columns; ++c) {
            const auto& m = merged->moments.columns[v * columns + c];
            report.non_finite_values += m.non_finite;
            g.columns.push_back(
                stats::summarize(m, sketch.columns[v * columns + c], plan.layout.quantile_levels));
        }
        groups.push_back(std::move(g));
    }
    for (std::size_t p = 0; p < contrasts; ++p) {
        io::SummaryGroup g{plan.layout.contrast_groups[p], {}};
        take_events(g, variants + p);
        for (std::size_t c = 0; c < columns; ++c) {
            const std::size_t col = (variants + p) * columns + c;
            g.columns.push_back(stats::summarize(merged->moments.columns[col], sketch.columns[col],
                                                 plan.layout.quantile_levels));
        }
        groups.push_back(std::move(g));
    }
    // Calibration: posterior groups beside the prior ones, the inputs' prior and posterior, and
    // the weights' diagnostics.
    std::optional<io::CalibrationResult> calibration;
    std::vector<io::SummaryGroup> posterior;
    if (plan.layout.calibration) {
        if (!merged->calibration)
            throw RuntimeFailure("the calibration sums are missing from the finished blocks");
        const auto& sums = *merged->calibration;
        const std::size_t all_columns = plan.layout.summary_columns();
        const auto chosen = posterior_group_columns(plan.layout, variants + contrasts);
        const std::size_t d = plan.layout.inputs.size();
        io::CalibrationResult r;
        r.ess = sums.ess();
        r.ess_fraction = samples_run > 0 ? r.ess / static_cast<double>(samples_run) : 0.0;
        r.sum_weights = sums.sum_w;
        r.sum_weights_squared = sums.sum_w2;
        r.max_weight = sums.max_w;
        r.n_positive = sums.n_positive;
        for (std::size_t t = 0; t < sums.target_sum_w.size(); ++t)
            r.target_ess.push_back(sums.target_ess(t));
        r.posterior_written =
            !(plan.layout.calibration->refuse_low_ess && r.ess < plan.layout.calibration->min_ess);
        report.ess = r.ess;
        report.posterior_refused = !r.posterior_written;
        // Sketches: the summary columns, the inputs' prior, then the posterior columns.
        const std::size_t posterior_sketches = all_columns + d;
        for (std::size_t j = 0; j < d; ++j) {
            const std::size_t p = chosen.size() + j;
            r.prior_inputs.push_back(stats::summarize(merged->moments.columns[all_columns + j],
                                                      sketch.columns[all_columns + j],
                                                      plan.layout.quantile_levels));
            r.posterior_inputs.push_back(stats::summarize_weighted(
                merged->posterior[p], sketch.columns[posterior_sketches + p],
                plan.layout.quantile_levels));
        }
        if (r.posterior_written)
            for (std::size_t g = 0, p = 0; g < variants + contrasts; ++g) {
                io::SummaryGroup pg{g < variants ? plan.layout.variant_groups[g]
                                                 : plan.layout.contrast_groups[g - variants],
                                    {}};
                pg.part = "posterior";
                pg.contrast = g >= variants;
                for (std::size_t k = 0; k < plan.layout.outputs.size(); ++k)
                    pg.present.push_back(plan.layout.calibration->has_posterior(k) ? 1 : 0);
                for (; p < chosen.size() && chosen[p] / columns == g; ++p)
                    pg.columns.push_back(stats::summarize_weighted(
                        merged->posterior[p], sketch.columns[posterior_sketches + p],
                        plan.layout.quantile_levels));
                posterior.push_back(std::move(pg));
            }
        calibration = std::move(r);
    }
    // Robustness: each objective's regret columns and its counts after the event counts.
    std::vector<io::RobustnessResult> robustness;
    for (std::size_t o = 0, at = slots.size(); o < plan.layout.robustness.size(); ++o) {
        io::RobustnessResult r;
        for (std::size_t v = 0; v < variants; ++v) {
            const std::size_t col = (variants + contrasts) * columns + o * variants + v;
            r.regret.push_back(stats::summarize(merged->moments.columns[col], sketch.columns[col],
                                                plan.layout.quantile_levels));
        }
        const std::size_t size =
            stats::robustness_count_size(variants, plan.layout.robustness[o].thresholds.size());
        r.counts.assign(merged->events.begin() + static_cast<std::ptrdiff_t>(at),
                        merged->events.begin() + static_cast<std::ptrdiff_t>(at + size));
        at += size;
        robustness.push_back(std::move(r));
    }
    std::vector<io::Attribute> closing{
        {"completed_utc", utc_now_iso8601()},
        {"wall_seconds", report.seconds},
        {"n_non_finite", static_cast<std::int64_t>(report.non_finite_values)},
        {"n_samples_run", static_cast<std::int64_t>(samples_run)},
    };
    if (plan.adaptive) {
        closing.push_back({"stopping_reason", stopping_reason});
        closing.push_back({"target_ci_width", plan.adaptive->target_width});
        closing.push_back({"widest_interval", widest});
    }
    if (plan.nonfinite_is_error) {
        // Name where they are: output, year and group, the first few.
        std::string where;
        std::uint64_t total = 0;
        for (const auto& g : groups)
            for (std::size_t c = 0; c < g.columns.size(); ++c) {
                const auto n = g.columns[c].n_non_finite;
                if (n == 0)
                    continue;
                total += n;
                std::size_t k = 0, column = c;
                while (column >= (plan.layout.outputs[k].per_year ? plan.layout.years.size() : 1)) {
                    column -= plan.layout.outputs[k].per_year ? plan.layout.years.size() : 1;
                    ++k;
                }
                if (std::count(where.begin(), where.end(), ';') < 4) {
                    where += (where.empty() ? "" : "; ") + plan.layout.outputs[k].name;
                    if (plan.layout.outputs[k].per_year)
                        where += " " + std::to_string(plan.layout.years[column]);
                    if (!g.group.empty())
                        where += " (" + g.group + ")";
                    where += ": " + std::to_string(n);
                }
            }
        if (total > 0)
            throw RuntimeFailure(std::to_string(total) +
                                 " output values were not finite (NaN or inf) and "
                                 "output.on_nonfinite = \"error\": " +
                                 where + ". No result was written; " + partial +
                                 " holds the run's rows for inspection");
    }
    // The finishing phases (docs/running.md, "Phases of a run"). The ledger written after the
    // last round holds every block, so a fault in any of them is resumed by writing them again:
    // first what an interrupted attempt may have left in OUT.partial is taken out.
    fault_point("summaries", 0, plan.output_path);
    const std::uint64_t room = finishing_bytes(plan.layout, plan.parameters->dimension());
    io::reserve_space(partial, room, "writing the summaries");
    if (plan.resume)
        io::roll_back_finishing(partial, plan.layout);
    const auto contrast_start = groups.begin() + static_cast<std::ptrdiff_t>(variants);
    io::write_summaries(partial, plan.layout, {groups.begin(), contrast_start}, {});
    fault_point("contrasts", 0, plan.output_path);
    io::reserve_space(partial, room, "writing the contrasts");
    io::write_summaries(partial, plan.layout, {contrast_start, groups.end()}, closing);
    io::write_robustness(partial, plan.layout, robustness, samples_run);
    if (calibration) {
        io::write_summaries(partial, plan.layout, posterior, {});
        io::write_calibration(partial, plan.layout, *calibration);
    }
    fault_point("sensitivity", 0, plan.output_path);
    if (sens) {
        io::reserve_space(partial, room, "writing the sensitivity indices");
        std::vector<io::SensitivityGroup> results;
        for (std::size_t g = 0; g < variants + contrasts; ++g) {
            io::SensitivityGroup r;
            r.group = g < variants ? plan.layout.variant_groups[g]
                                   : plan.layout.contrast_groups[g - variants];
            for (std::size_t t = 0; t < per_group; ++t) {
                const std::size_t slot = g * per_group + t;
                if (morris)
                    r.morris.push_back(merged->morris[slot].estimate(sens->confidence_level));
                else
                    r.sobol.push_back(merged->sobol[slot].estimate(sens->confidence_level));
            }
            results.push_back(std::move(r));
        }
        io::write_sensitivity(partial, plan.layout, results);
    }
    fault_point("flush", 0, plan.output_path);
    io::flush_to_disk(partial);
    fault_point("rename", 0, plan.output_path);
    io::publish_result_file(partial, plan.output_path);
    // The run is complete: its ledger has nothing left to resume. A fault before this removal
    // leaves a complete ledger beside the result, which the next run recognises and removes.
    fault_point("cleanup", 0, plan.output_path);
    std::error_code ec;
    std::filesystem::remove(checkpoint_path, ec);
}

RunReport run(const RunPlan& plan, MPI_Comm comm) {
    const auto started = std::chrono::steady_clock::now();
    // From the first moment, so that a signal during the start is a request to stop, not death.
    const InterruptGuard interrupts;
    int rank = 0, ranks = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);

    const auto& model = *plan.model;
    const std::size_t d = plan.parameters->dimension();
    const std::size_t variants = model.variant_count();
    const std::size_t columns = model.column_count();
    const std::size_t contrasts = plan.contrasts.size();
    // Summary columns: each variant's outputs, then each contrast's paired differences, then
    // each robustness objective's regret per variant.
    const std::size_t all_columns = plan.layout.summary_columns();
    const std::size_t regret_base = (variants + contrasts) * columns;
    const auto& objectives = plan.layout.robustness;
    const std::uint64_t bs = plan.block_size;
    const std::uint64_t blocks = (plan.samples + bs - 1) / bs;
    const bool raw = plan.layout.store_raw;
    const std::string partial = plan.output_path + ".partial";

    const std::string checkpoint_path = plan.output_path + ".checkpoint";
    const int threads = std::max(1, omp_get_max_threads());
    const std::size_t bytes_per_block = bs * (d + all_columns) * sizeof(double);
    const std::uint64_t per_round =
        std::max<std::uint64_t>(static_cast<std::uint64_t>(threads),
                                plan.round_bytes / std::max<std::size_t>(1, bytes_per_block));
    // Stages end at these block counts: one stage, or with adaptive stopping a doubling
    // schedule in blocks that depends on the experiment alone, never on the cut.
    std::vector<std::uint64_t> stage_ends;
    if (plan.adaptive) {
        for (std::uint64_t b =
                 std::max<std::uint64_t>(1, (plan.adaptive->first_runs + bs - 1) / bs);
             b < blocks; b *= 2)
            stage_ends.push_back(b);
    }
    stage_ends.push_back(blocks);

    // Integer-valued outputs (years) are counted exactly; the rest within the sketch's bound.
    std::vector<unsigned> precision;
    for (std::size_t g = 0; g < variants + contrasts; ++g)
        for (const auto& o : plan.layout.outputs)
            precision.insert(precision.end(), o.per_year ? plan.layout.years.size() : 1,
                             o.integer_valued ? stats::LogHistogram::exact_integers
                                              : plan.sketch_mantissa_bits);
    precision.insert(precision.end(), objectives.size() * variants, plan.sketch_mantissa_bits);
    // Calibration: the inputs' prior sketches, then the weighted sketches of every group column
    // and every input (docs/calibration.md). Same precision as the prior's.
    const bool calibrated = plan.layout.calibration.has_value();
    const std::size_t group_columns = regret_base;
    const std::size_t input_columns = calibrated ? d : 0;
    // The weighted work of every column would cost as much as the rest of the run: only the
    // columns of [calibration] outputs have a posterior (dense index p; the inputs' last).
    const auto chosen = posterior_group_columns(plan.layout, variants + contrasts);
    constexpr std::size_t none = ~std::size_t{0};
    std::vector<std::size_t> posterior_of(group_columns, none);
    for (std::size_t p = 0; p < chosen.size(); ++p)
        posterior_of[chosen[p]] = p;
    const std::size_t posterior_columns = calibrated ? chosen.size() + d : 0;
    const std::size_t input_sketch_base = all_columns;
    const std::size_t posterior_sketch_base = all_columns + input_columns;
    if (calibrated) {
        precision.insert(precision.end(), d, plan.sketch_mantissa_bits);
        for (const std::size_t c : chosen)
            precision.push_back(precision[c]);
        precision.insert(precision.end(), d, plan.sketch_mantissa_bits);
    }
    std::vector<stats::Observation> observations;
    for (const auto& t : plan.calibration_targets)
        observations.push_back(t.observation);
    // One set per rank, shared by its threads under a lock per column: a set per thread
    // multiplied the sketches' memory, which dominates a run's, by the thread count. Counts
    // add exactly, so the order in which threads take a column changes nothing.
    std::vector<stats::SketchSet> sketches(1, stats::SketchSet(precision));
    const auto column_locks = std::make_unique<std::mutex[]>(precision.size());
    // Sensitivity: the analysed columns of every group (variants, then contrasts), the shift
    // that keeps Sobol' sums well conditioned, and the Morris steps.
    const auto& sens = plan.layout.sensitivity;
    const std::vector<std::size_t> targets = analysed_columns(plan.layout); // within a group
    std::vector<double> shift; // per group and target: f at run 0
    std::size_t group_runs = 1, replicates = 0;
    const design::MorrisDesign* morris = nullptr;
    if (sens) {
        group_runs = sens->group_runs;
        replicates = sens->bootstrap_replicates;
        if (bs % group_runs != 0 || plan.samples % group_runs != 0)
            throw std::logic_error("runner: blocks must hold whole sensitivity groups");
        if (sens->method == io::SensitivityLayout::Method::morris) {
            morris = dynamic_cast<const design::MorrisDesign*>(plan.design);
            if (morris == nullptr)
                throw std::logic_error("runner: Morris sums need the Morris design");
        } else {
            // f(A) of base point 0, evaluated by every rank: the same shift for any cut.
            std::vector<double> unit(d), values(d), y(variants * columns);
            plan.design->unit_points(0, 1, unit);
            if (plan.copula != nullptr)
                plan.copula->apply(unit, 1);
            plan.parameters->to_values(unit, 1, values);
            plan.design->fixed_values(0, 1, values);
            const model::InputBlock in(values, 1);
            for (std::size_t v = 0; v < variants; ++v) {
                model::OutputBlock out(std::span<double>(y).subspan(v * columns, columns), 1);
                model.evaluate(v, in, out);
            }
            for (std::size_t g = 0; g < variants + contrasts; ++g)
                for (const std::size_t c : targets) {
                    const double value =
                        g < variants ? y[g * columns + c]
                                     : y[plan.contrasts[g - variants].first * columns + c] -
                                           y[plan.contrasts[g - variants].second * columns + c];
                    // A non-finite f at run 0 would poison every sum: no shift then.
                    shift.push_back(std::isfinite(value) ? value : 0.0);
                }
        }
    }
    const std::size_t analysed = targets.size() * (variants + contrasts);
    // Events: which slots each summary column feeds.
    const auto slots = event_slots(plan.layout, variants, contrasts);
    // Robustness counts follow the event counts in each block's integer vector.
    std::vector<std::size_t> count_offsets; // per objective, into BlockSums::events
    std::size_t counted = slots.size();
    for (const auto& o : objectives) {
        count_offsets.push_back(counted);
        counted += stats::robustness_count_size(variants, o.thresholds.size());
    }
    std::vector<std::vector<std::size_t>> slots_of_column(all_columns);
    for (std::size_t i = 0; i < slots.size(); ++i)
        slots_of_column[slots[i].column].push_back(i);

    // Each thread's buffers for one block, allocated once: the outputs of a block of the
    // flagship are 19 MB, whose allocation, zeroing and page faults at every round cost a
    // tenth of the run.
    std::vector<BlockWorkspace> workspaces;
    for (int t = 0; t < threads; ++t)
        workspaces.push_back({std::vector<double>(d * bs), std::vector<double>(d * bs),
                              std::vector<double>(variants * columns * bs), std::vector<double>(bs),
                              std::vector<double>(replicates * (bs / group_runs)),
                              std::vector<double>(replicates), std::vector<double>(d),
                              std::vector<double>(d), std::vector<double>(d * (bs / group_runs)),
                              std::vector<std::size_t>(d * (bs / group_runs)),
                              std::vector<double>(objectives.empty() ? 0 : variants * bs),
                              std::vector<double>(objectives.empty() ? 0 : variants * bs),
                              std::vector<double>(calibrated ? bs : 0),
                              std::vector<std::uint64_t>(calibrated ? bs : 0)});

    // Rank 0 lays out the file, or with --resume reads the ledger of the interrupted run; the
    // others wait for its verdict rather than hang.
    std::vector<Reduction::Node> held;             // rank 0: pieces of every finished block
    std::optional<stats::SketchSet> held_sketches; // rank 0: sketches of the ledger's blocks
    std::vector<BlockRange> done;                  // every rank: blocks finished before this stage
    std::string start_error;
    bool refused = false;
    if (rank == 0) {
        try {
            if (plan.resume) {
                const auto c = io::read_checkpoint(checkpoint_path);
                if (const auto why = resume_mismatch(c, plan); !why.empty())
                    throw RuntimeFailure("cannot resume from " + checkpoint_path + ": " + why);
                if (!raw) {
                    // A summary run's OUT.partial holds no results yet, only the layout: made
                    // anew, it cannot carry anything an interrupted attempt half-wrote.
                    std::error_code ec;
                    std::filesystem::remove(partial, ec);
                    io::create_result_file(partial, plan.layout, plan.metadata);
                } else if (!std::filesystem::exists(partial)) {
                    throw RuntimeFailure("cannot resume: " + partial +
                                         " is missing, and with it the rows of the interrupted "
                                         "run; start over with --force");
                }
                held = unpack(c.pieces);
                held_sketches = stats::SketchSet::deserialize(c.sketches);
                for (const auto& [a, b] : c.done)
                    done.push_back({a, b});
            } else {
                std::error_code ec;
                std::filesystem::remove(checkpoint_path, ec); // a stale ledger (--force)
                if (raw) {
                    const std::size_t width = d + variants * columns;
                    const long double bytes = static_cast<long double>(plan.samples) *
                                              static_cast<long double>(width) *
                                              (plan.layout.single_precision ? 4.0L : 8.0L);
                    io::probe_file_size(partial, bytes);
                }
                io::create_result_file(partial, plan.layout, plan.metadata);
            }
        } catch (const std::exception& e) {
            // Nothing was computed into a new file: leave no half-made OUT.partial behind.
            if (!plan.resume) {
                std::error_code ec;
                std::filesystem::remove(partial, ec);
            }
            // Every failure to resume is a refusal (exit 2): nothing was touched.
            refused = plan.resume;
            start_error =
                plan.resume ? std::string(e.what()) : "cannot create " + partial + ": " + e.what();
        }
    }
    if (!broadcast_flag(start_error.empty(), comm)) {
        const std::string what =
            start_error.empty() ? "rank 0 could not start the run" : start_error;
        if (broadcast_flag(refused, comm))
            throw ResumeRefused(what);
        throw CollectiveFailure(what);
    }
    {
        std::vector<std::uint64_t> flat;
        for (const auto& r : done) {
            flat.push_back(r.first);
            flat.push_back(r.end);
        }
        auto n = static_cast<std::uint64_t>(flat.size());
        MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm);
        flat.resize(n);
        MPI_Bcast(flat.data(), static_cast<int>(n), MPI_UINT64_T, 0, comm);
        done.clear();
        for (std::size_t i = 0; i + 1 < flat.size(); i += 2)
            done.push_back({flat[i], flat[i + 1]});
        // A part computes its share of the blocks only: the rest counts as done elsewhere.
        if (plan.part) {
            const auto [lo, hi] = part_blocks(*plan.part, blocks);
            done.push_back({0, lo});
            done.push_back({hi, blocks});
        }
        done = normalized(std::move(done));
    }
    // A resumed ledger that already holds every block was written after the last round: only the
    // finishing phases remain, and the ledger needs no rewrite.
    const bool resumed_complete =
        plan.resume && done.size() == 1 && done[0].first == 0 && done[0].end == blocks;

    std::optional<io::RawRowWriter> writer;
    if (raw) {
        try {
            writer.emplace(partial, plan.layout, comm);
        } catch (const std::exception&) {
            if (rank == 0 && !plan.resume) {
                std::error_code ec;
                std::filesystem::remove(partial, ec);
            }
            throw;
        }
    }

    const std::size_t round_rows = raw ? per_round * bs : 0;
    // A calibrated run's weights follow the inputs as one more column (RawRowWriter::write).
    std::vector<double> round_inputs(raw ? (d + (calibrated ? 1 : 0)) * round_rows : 0);
    std::vector<std::vector<double>> round_outputs(
        variants, std::vector<double>(raw ? columns * round_rows : 0));

    // Collective: rows on disk, then the ledger of every finished block, atomically replaced.
    auto write_ledger = [&](const std::vector<Reduction>& segments, const std::string& path) {
        if (writer)
            writer->flush();
        std::vector<Reduction::Node> current;
        for (const auto& r : segments)
            current.insert(current.end(), r.pieces().begin(), r.pieces().end());
        // Every thread's sketches, and on rank 0 the resumed ledger's, are summed as they are
        // serialized: merging dense copies cost seconds per ledger.
        std::vector<const stats::SketchSet*> own_sketches;
        for (const auto& s : sketches)
            own_sketches.push_back(&s);
        std::string error;
        if (rank != 0) {
            const auto p = pack(current);
            const auto q = stats::SketchSet::serialize_sum(own_sketches, {});
            MPI_Send(p.data(), static_cast<int>(p.size()), MPI_DOUBLE, 0, tag_moments, comm);
            MPI_Send(q.data(), static_cast<int>(q.size()), MPI_UINT64_T, 0, tag_sketches, comm);
        } else {
            std::vector<Reduction::Node> all = held;
            all.insert(all.end(), current.begin(), current.end());
            if (held_sketches)
                own_sketches.push_back(&*held_sketches);
            std::vector<std::vector<std::uint64_t>> received;
            for (int r = 1; r < ranks; ++r) {
                for (auto& p : unpack(receive_vector<double>(r, tag_moments, MPI_DOUBLE, comm)))
                    all.push_back(std::move(p));
                received.push_back(
                    receive_vector<std::uint64_t>(r, tag_sketches, MPI_UINT64_T, comm));
            }
            io::Checkpoint c;
            c.config_resolved = plan.identity;
            c.software_version = plan.software_version;
            c.seed = plan.seed;
            c.block_size = bs;
            c.runs = plan.samples;
            std::vector<BlockRange> ranges;
            for (const auto& p : all)
                ranges.push_back({p.id.first_block(), std::min(blocks, p.id.end_block())});
            for (const auto& r : normalized(std::move(ranges)))
                c.done.emplace_back(r.first, r.end);
            c.pieces = pack(all);
            const std::vector<std::span<const std::uint64_t>> others(received.begin(),
                                                                     received.end());
            c.sketches = stats::SketchSet::serialize_sum(own_sketches, others);
            c.written_utc = utc_now_iso8601();
            try {
                fault_point("ledger", 0, plan.output_path);
                io::write_checkpoint(path, c);
            } catch (const std::exception& e) {
                error = e.what();
            }
        }
        if (!broadcast_flag(error.empty(), comm))
            throw CollectiveFailure(error.empty() ? "rank 0 could not write the checkpoint"
                                                  : error);
    };

    fault_point("start", rank, plan.output_path);
    // Rank 0 keeps the clock: ledgers at the asked interval, stretched to keep their share.
    std::optional<CheckpointClock> ledger_clock;
    if (rank == 0 && plan.checkpoint_seconds > 0)
        ledger_clock.emplace(plan.checkpoint_seconds);
    const auto ledger_origin = std::chrono::steady_clock::now();
    auto ledger_time = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - ledger_origin)
            .count();
    };
    bool interrupted = false;
    std::uint64_t begin = 0, samples_run = 0;
    std::string stopping_reason;
    double widest = std::numeric_limits<double>::quiet_NaN();
    for (const std::uint64_t stage_end : stage_ends) {
        // Every rank computes every rank's rounds: collective writes need the same count.
        const auto todo = remaining_blocks(done, begin, stage_end);
        const auto segments = share_of(todo, rank, ranks);
        const RoundSchedule my_rounds(segments, per_round);
        std::uint64_t rounds = 0;
        for (int r = 0; r < ranks; ++r)
            rounds = std::max(rounds, RoundSchedule(share_of(todo, r, ranks), per_round).size());
        std::vector<Reduction> reductions(segments.size());
        for (std::uint64_t round = 0; round < rounds; ++round) {
            const Round here = round < my_rounds.size() ? my_rounds[round] : Round{};
            const std::uint64_t s = here.first, e = here.end;
            const std::uint64_t n_blocks = e - s;
            const std::uint64_t first_row = s * bs;
            const std::uint64_t rows = n_blocks ? std::min(plan.samples, e * bs) - first_row : 0;
            std::vector<stats::BlockSums> leaves(n_blocks);
            std::exception_ptr failure;
            std::mutex failure_lock;

#pragma omp parallel num_threads(threads)
            {
                // Named references, not a structured binding: clang before 16 cannot capture a
                // binding in the lambda below (the fuzz build uses Debian's clang 14).
                auto& ws = workspaces[static_cast<std::size_t>(omp_get_thread_num())];
                auto &unit = ws.unit, &values = ws.values, &outputs = ws.outputs;
                auto &difference = ws.difference, &weights = ws.weights, &weight = ws.weight;
                auto &f_ab = ws.f_ab, &f_ba = ws.f_ba, &steps = ws.steps;
                auto& moved = ws.moved;
                auto &objective = ws.objective, &regret = ws.regret;
                auto& weight_of = ws.calibration_weight;
                auto& units_of = ws.calibration_units;
#pragma omp for schedule(static)
                for (std::uint64_t k = 0; k < n_blocks; ++k) {
                    try {
                        const std::uint64_t start = (s + k) * bs;
                        const std::size_t n = std::min<std::uint64_t>(bs, plan.samples - start);
                        const std::uint64_t offset = start - first_row;
                        plan.design->unit_points(start, n, std::span(unit).first(d * n));
                        if (plan.copula != nullptr)
                            plan.copula->apply(std::span(unit).first(d * n), n);
                        plan.parameters->to_values(std::span<const double>(unit).first(d * n), n,
                                                   std::span(values).first(d * n));
                        plan.design->fixed_values(start, n, std::span(values).first(d * n));
                        if (raw) {
                            for (std::size_t j = 0; j < d; ++j)
                                std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(j * n), n,
                                            round_inputs.begin() +
                                                static_cast<std::ptrdiff_t>(j * rows + offset));
                        }
                        auto& leaf = leaves[k];
                        leaf.moments.columns.resize(all_columns + input_columns);
                        leaf.events.assign(counted, 0);
                        const model::InputBlock in(std::span<const double>(values).first(d * n), n);
                        const auto w = std::span<const double>(weight_of).first(calibrated ? n : 0);
                        const auto units =
                            std::span<const std::uint64_t>(units_of).first(calibrated ? n : 0);
                        // Moments and sketch of summary column c; a group column or an input
                        // of a calibrated run also gets its weighted moments and sketch
                        // (posterior index p).
                        stats::WeightedMoments::BlockWeights block_weights;
                        auto summarise = [&](std::size_t c, std::size_t p,
                                             std::span<const double> col) {
                            auto& m = leaf.moments.columns[c];
                            m = stats::RunningMoments::of(col);
                            if (c < all_columns)
                                for (const std::size_t i : slots_of_column[c])
                                    leaf.events[i] = stats::count_meeting(col, slots[i].comparison,
                                                                          slots[i].threshold);
                            {
                                const std::lock_guard column(column_locks[c]);
                                sketches[0].columns[c].add(col, m.min, m.max);
                            }
                            if (!calibrated || p == none)
                                return;
                            leaf.posterior[p] =
                                stats::WeightedMoments::of(col, w, block_weights, m);
                            const std::size_t q = posterior_sketch_base + p;
                            const std::lock_guard column(column_locks[q]);
                            sketches[0].columns[q].add_weighted(col, units, m.min, m.max);
                        };
                        auto accumulate = [&](std::size_t c, std::span<const double> col) {
                            summarise(c, c < group_columns ? posterior_of[c] : none, col);
                        };
                        // Every policy meets the same sampled futures (common random numbers).
                        std::vector<model::OutputBlock> outs;
                        for (std::size_t v = 0; v < variants; ++v)
                            outs.emplace_back(
                                std::span<double>(outputs).subspan(v * columns * n, columns * n),
                                n);
                        std::vector<char> evaluated(variants, 0);
                        if (calibrated) {
                            // The weights first: the policies the targets observe are evaluated
                            // before the others, whose columns are then summarised while hot.
                            std::vector<std::span<const double>> observed;
                            for (const auto& t : plan.calibration_targets) {
                                if (evaluated[t.variant] == 0) {
                                    model.evaluate(t.variant, in, outs[t.variant]);
                                    evaluated[t.variant] = 1;
                                }
                                observed.push_back(outs[t.variant].column(t.column));
                            }
                            leaf.calibration = stats::calibration_weights(
                                observations, observed, std::span(weight_of).first(n),
                                std::span(units_of).first(n));
                            block_weights = stats::WeightedMoments::BlockWeights::of(
                                std::span<const double>(weight_of).first(n));
                            leaf.posterior.resize(posterior_columns);
                            for (std::size_t j = 0; j < d; ++j)
                                summarise(input_sketch_base + j, chosen.size() + j,
                                          std::span<const double>(values).subspan(j * n, n));
                            if (raw)
                                std::copy_n(weight_of.begin(), n,
                                            round_inputs.begin() +
                                                static_cast<std::ptrdiff_t>(d * rows + offset));
                        }
                        for (std::size_t v = 0; v < variants; ++v) {
                            if (evaluated[v] == 0)
                                model.evaluate(v, in, outs[v]);
                            for (std::size_t c = 0; c < columns; ++c) {
                                const auto col = std::span<const double>(outs[v].column(c));
                                accumulate(v * columns + c, col);
                                if (raw)
                                    std::copy(col.begin(), col.end(),
                                              round_outputs[v].begin() +
                                                  static_cast<std::ptrdiff_t>(c * rows + offset));
                            }
                        }
                        // Robustness: every policy's value of an objective in the same futures.
                        for (std::size_t o = 0; o < objectives.size(); ++o) {
                            const auto& ob = objectives[o];
                            const std::size_t c = plan.layout.column_of(ob.output, ob.year_index);
                            for (std::size_t v = 0; v < variants; ++v)
                                std::copy_n(outs[v].column(c).begin(), n,
                                            objective.begin() + static_cast<std::ptrdiff_t>(v * n));
                            const auto values_here =
                                std::span<const double>(objective).first(variants * n);
                            const auto direction = ob.higher_is_better ? stats::Direction::higher
                                                                       : stats::Direction::lower;
                            stats::regret_of(values_here, variants, direction,
                                             std::span(regret).first(variants * n));
                            for (std::size_t v = 0; v < variants; ++v)
                                accumulate(regret_base + o * variants + v,
                                           std::span<const double>(regret).subspan(v * n, n));
                            stats::robustness_counts(
                                values_here, variants, direction, ob.thresholds,
                                std::span(leaf.events)
                                    .subspan(count_offsets[o],
                                             stats::robustness_count_size(variants,
                                                                          ob.thresholds.size())));
                        }
                        for (std::size_t p = 0; p < contrasts; ++p) {
                            const auto [v, ref] = plan.contrasts[p];
                            for (std::size_t c = 0; c < columns; ++c) {
                                const auto a = outs[v].column(c), b = outs[ref].column(c);
                                for (std::size_t i = 0; i < n; ++i)
                                    difference[i] = a[i] - b[i];
                                accumulate((variants + p) * columns + c,
                                           std::span<const double>(difference).first(n));
                            }
                        }
                        if (sens) {
                            const std::size_t groups_here = n / group_runs;
                            const std::uint64_t first_group = start / group_runs;
                            // Poisson(1) weights from the (seed, group, replicate) stream.
                            random::uniform_open01_block(plan.seed, first_group, groups_here,
                                                         random::StreamPurpose::bootstrap, 0,
                                                         replicates, weights);
                            for (std::size_t i = 0; i < replicates * groups_here; ++i)
                                weights[i] = stats::poisson1_from_uniform(weights[i]);
                            if (morris != nullptr)
                                for (std::size_t j = 0; j < groups_here; ++j)
                                    for (std::size_t i = 0; i < d; ++i) {
                                        const std::uint64_t run = start + j * group_runs + i + 1;
                                        moved[j * d + i] = morris->moved_dimension(run);
                                        steps[j * d + i] = morris->step(run);
                                    }
                            if (morris != nullptr)
                                leaf.morris.assign(analysed, stats::MorrisSums(d, replicates));
                            else
                                leaf.sobol.assign(
                                    analysed, stats::SobolSums(d, replicates, sens->second_order));
                            for (std::size_t g = 0; g < variants + contrasts; ++g) {
                                for (std::size_t t = 0; t < targets.size(); ++t) {
                                    const std::size_t c = targets[t], slot = g * targets.size() + t;
                                    std::span<const double> col;
                                    if (g < variants) {
                                        col = outs[g].column(c);
                                    } else {
                                        const auto [v, ref] = plan.contrasts[g - variants];
                                        const auto a = outs[v].column(c), b = outs[ref].column(c);
                                        for (std::size_t i = 0; i < n; ++i)
                                            difference[i] = a[i] - b[i];
                                        col = std::span<const double>(difference).first(n);
                                    }
                                    for (std::size_t j = 0; j < groups_here; ++j) {
                                        for (std::size_t r = 0; r < replicates; ++r)
                                            weight[r] = weights[r * groups_here + j];
                                        const double* f = col.data() + j * group_runs;
                                        if (morris != nullptr) {
                                            leaf.morris[slot].add(
                                                std::span(f, d + 1),
                                                std::span<const std::size_t>(moved).subspan(j * d,
                                                                                            d),
                                                std::span<const double>(steps).subspan(j * d, d),
                                                weight);
                                            continue;
                                        }
                                        const double s0 = shift[slot];
                                        for (std::size_t q = 0; q < d; ++q)
                                            f_ab[q] = f[2 + q] - s0;
                                        if (sens->second_order)
                                            for (std::size_t q = 0; q < d; ++q)
                                                f_ba[q] = f[2 + d + q] - s0;
                                        leaf.sobol[slot].add(f[0] - s0, f[1] - s0, f_ab, weight,
                                                             sens->second_order
                                                                 ? std::span<const double>(f_ba)
                                                                 : std::span<const double>());
                                    }
                                }
                            }
                        }
                    } catch (...) {
                        const std::lock_guard lock(failure_lock);
                        if (!failure)
                            failure = std::current_exception();
                    }
                }
            }
            if (failure)
                std::rethrow_exception(failure);
            for (std::uint64_t k = 0; k < n_blocks; ++k)
                reductions[here.segment].push_block(s + k, std::move(leaves[k]));
            if (rank == 0 && plan.progress && !my_rounds.empty()) {
                // Ranks hold equal shares: rank 0's fraction of its rounds stands for all.
                const double fraction = static_cast<double>(std::min(round + 1, my_rounds.size())) /
                                        static_cast<double>(my_rounds.size());
                std::uint64_t todo_blocks = 0;
                for (const auto& r : todo)
                    todo_blocks += r.size();
                const double runs_done =
                    static_cast<double>(std::min(plan.samples, stage_end * bs)) -
                    (1.0 - fraction) * static_cast<double>(todo_blocks * bs);
                plan.progress(
                    std::min(plan.samples, static_cast<std::uint64_t>(std::max(0.0, runs_done))),
                    plan.samples);
            }
            if (writer) {
                std::vector<std::span<const double>> outs;
                for (const auto& o : round_outputs)
                    outs.emplace_back(o);
                writer->write(first_row, rows, round_inputs, outs, rows);
            }
            fault_point("rounds", rank, plan.output_path);
            // Rank 0 keeps the clock; a signal on any rank counts, and always gets its ledger.
            const bool due = ledger_clock && ledger_clock->due(ledger_time());
            int flags[2] = {InterruptGuard::requested() ? 1 : 0, due ? 1 : 0};
            MPI_Allreduce(MPI_IN_PLACE, flags, 2, MPI_INT, MPI_MAX, comm);
            if (flags[0] != 0 || flags[1] != 0) {
                const double ledger_start = ledger_time();
                write_ledger(reductions, checkpoint_path);
                if (ledger_clock) {
                    const bool was_stretched = ledger_clock->stretched();
                    ledger_clock->wrote(ledger_start, ledger_time());
                    if (plan.checkpoint_note && (was_stretched || ledger_clock->stretched()))
                        plan.checkpoint_note(ledger_clock->interval(), ledger_clock->asked(),
                                             ledger_clock->last_cost(), ledger_clock->share());
                }
                if (flags[0] != 0) {
                    interrupted = true;
                    break;
                }
            }
        }
        if (interrupted)
            break;
        // The stage's pieces go to rank 0, which keeps them until the end (folding sorts them).
        std::vector<Reduction::Node> mine;
        for (const auto& r : reductions)
            mine.insert(mine.end(), r.pieces().begin(), r.pieces().end());
        if (rank != 0) {
            const auto pieces = pack(mine);
            MPI_Send(pieces.data(), static_cast<int>(pieces.size()), MPI_DOUBLE, 0, tag_moments,
                     comm);
        } else {
            held.insert(held.end(), mine.begin(), mine.end());
            for (int r = 1; r < ranks; ++r)
                for (auto& p : unpack(receive_vector<double>(r, tag_moments, MPI_DOUBLE, comm)))
                    held.push_back(std::move(p));
        }
        done.insert(done.end(), todo.begin(), todo.end());
        done = normalized(std::move(done));
        samples_run = std::min(plan.samples, stage_end * bs);
        begin = stage_end;
        if (plan.adaptive) {
            bool stop = stage_end == blocks;
            if (rank == 0) {
                widest = widest_sobol_interval(held, targets.size() * (variants + contrasts),
                                               plan.layout.sensitivity->confidence_level);
                if (widest <= plan.adaptive->target_width) {
                    stop = true;
                    stopping_reason = "every interval at most target_ci_width wide";
                } else if (stop) {
                    stopping_reason = "max_samples reached";
                }
                if (plan.progress_note)
                    plan.progress_note(samples_run, widest, stop);
            }
            if (broadcast_flag(stop, comm))
                break;
        }
    }
    if (interrupted) {
        if (writer)
            writer->close();
        RunReport report;
        report.interrupted = true;
        report.interrupt_signal = InterruptGuard::signal_name();
        report.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return report;
    }

    if (plan.part) {
        // A part ends with its ledger as the part file, and its rows (raw mode) beside it.
        write_ledger({}, plan.output_path);
        RunReport report;
        if (writer) {
            report.collective_breaks = writer->broken_collective();
            writer->close();
        }
        std::string error;
        if (rank == 0) {
            std::error_code ec;
            std::filesystem::remove(checkpoint_path, ec);
            if (raw)
                std::filesystem::rename(partial, plan.output_path + ".rows", ec);
            else
                std::filesystem::remove(partial, ec);
            if (ec)
                error = "cannot rename " + partial + ": " + ec.message();
        }
        if (!broadcast_flag(error.empty(), comm))
            throw RuntimeFailure(error.empty() ? "rank 0 could not finish the part" : error);
        report.samples = (std::min(plan.samples, part_blocks(*plan.part, blocks).second * bs) -
                          part_blocks(*plan.part, blocks).first * bs);
        report.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return report;
    }
    // The ledger of every block, written before any result: each finishing phase can be resumed.
    if (!resumed_complete)
        write_ledger({}, checkpoint_path);
    std::vector<std::string> collective_breaks;
    if (writer) {
        collective_breaks = writer->broken_collective();
        writer->close();
    }

    RunReport report;
    report.samples = samples_run;
    report.stopping_reason = stopping_reason;
    report.widest_interval = widest;
    report.collective_breaks = std::move(collective_breaks);
    std::string finish_error;
    if (rank != 0) {
        const auto sk = sketches[0].serialize();
        MPI_Send(sk.data(), static_cast<int>(sk.size()), MPI_UINT64_T, 0, tag_sketches, comm);
    } else {
        for (int r = 1; r < ranks; ++r) {
            const auto sk = receive_vector<std::uint64_t>(r, tag_sketches, MPI_UINT64_T, comm);
            sketches[0].merge(stats::SketchSet::deserialize(sk));
        }
        if (held_sketches)
            sketches[0].merge(*held_sketches);
        try {
            report.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            finish_results(plan, std::move(held), sketches[0], samples_run, stopping_reason, widest,
                           report);
        } catch (const std::exception& e) {
            finish_error = e.what();
        }
    }
    if (!broadcast_flag(finish_error.empty(), comm))
        throw CollectiveFailure(finish_error.empty() ? "rank 0 could not finish the result file"
                                                     : finish_error);
    report.late_signal = InterruptGuard::signal_name();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

RunReport merge_parts(const RunPlan& plan, const std::vector<std::string>& parts) {
    const auto started = std::chrono::steady_clock::now();
    const std::uint64_t bs = plan.block_size;
    const std::uint64_t blocks = (plan.samples + bs - 1) / bs;
    std::vector<Reduction::Node> held;
    std::optional<stats::SketchSet> sketch;
    std::vector<std::pair<BlockRange, std::string>> covered;
    for (const auto& part : parts) {
        const auto c = io::read_checkpoint(part);
        if (const auto why = resume_mismatch(c, plan); !why.empty())
            throw ResumeRefused(part + " belongs to another run: " + why);
        for (auto& p : unpack(c.pieces))
            held.push_back(std::move(p));
        auto s = stats::SketchSet::deserialize(c.sketches);
        if (sketch)
            sketch->merge(s);
        else
            sketch = std::move(s);
        for (const auto& [a, b] : c.done)
            covered.push_back({{a, b}, part});
    }
    std::sort(covered.begin(), covered.end(),
              [](const auto& x, const auto& y) { return x.first.first < y.first.first; });
    std::uint64_t at = 0;
    std::string gaps;
    for (const auto& [range, part] : covered) {
        if (range.first < at)
            throw ResumeRefused("blocks " + std::to_string(range.first) + "-" +
                                std::to_string(std::min(at, range.end) - 1) + " are in " + part +
                                " and in another part: each part may be given once");
        if (range.first > at)
            gaps += (gaps.empty() ? "" : ", ") + std::to_string(at) + "-" +
                    std::to_string(range.first - 1);
        at = range.end;
    }
    if (at < blocks)
        gaps += (gaps.empty() ? "" : ", ") + std::to_string(at) + "-" + std::to_string(blocks - 1);
    if (!gaps.empty())
        throw ResumeRefused("the parts do not cover blocks " + gaps + " (of 0-" +
                            std::to_string(blocks - 1) + "): a part is missing or unfinished");
    if (!sketch)
        throw ResumeRefused("no part given");

    const std::string partial = plan.output_path + ".partial";
    io::create_result_file(partial, plan.layout, plan.metadata);
    if (plan.layout.store_raw)
        for (const auto& [range, part] : covered)
            io::copy_rows(part + ".rows", partial, plan.layout, range.first * bs,
                          std::min(plan.samples, range.end * bs));
    RunReport report;
    report.samples = plan.samples;
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    finish_results(plan, std::move(held), *sketch, plan.samples, {}, 0.0, report);
    return report;
}

} // namespace chiprace::parallel
