#include "chiprace/parallel/run_size_estimate.hpp"

#include "chiprace/stats/block_sums.hpp"
#include "chiprace/stats/log_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace chiprace::parallel {

namespace {

/// Process, MPI and HDF5 libraries, the model and the experiment: measured at about 30 MiB for
/// a small run; counted with margin.
constexpr double fixed_bytes = 64.0 * 1024 * 1024;
/// HDF5's cost per dataset in a result file (object header, attributes, dimension-scale
/// references), counted with margin: about 1 KiB measured.
constexpr double bytes_per_dataset = 2048.0;

} // namespace

double RunSizeEstimate::memory_bytes() const {
    double total = 0.0;
    for (const auto& t : memory)
        total += t.bytes;
    return total;
}

double RunSizeEstimate::other_rank_bytes() const {
    double total = 0.0;
    for (const auto& t : memory)
        total += t.other();
    return total;
}

const RunSizeEstimate::Term& RunSizeEstimate::dominant() const {
    if (memory.empty())
        throw std::logic_error("RunSizeEstimate: no terms");
    return *std::max_element(memory.begin(), memory.end(),
                             [](const Term& a, const Term& b) { return a.bytes < b.bytes; });
}

RunSizeEstimate estimate_run_size(const RunPlan& plan, int ranks, int threads) {
    const auto& layout = plan.layout;
    const double d = static_cast<double>(plan.parameters->dimension());
    const double variants = static_cast<double>(plan.model->variant_count());
    const double columns = static_cast<double>(plan.model->column_count());
    const double groups = variants + static_cast<double>(plan.contrasts.size());
    const double regret_columns =
        static_cast<double>(layout.robustness.size()) * variants; // [robustness]
    const double all_columns = groups * columns + regret_columns;
    const double bs = static_cast<double>(plan.block_size);
    const double samples = static_cast<double>(plan.samples);
    const double blocks = std::ceil(samples / bs);
    const double t = std::max(1, threads), r = std::max(1, ranks);
    const bool raw = layout.store_raw;

    // The sketches of one group's columns at their ceiling (stats/log_histogram.hpp).
    double group_sketches = 0.0;
    for (const auto& o : layout.outputs)
        group_sketches += (o.per_year ? static_cast<double>(layout.years.size()) : 1.0) *
                          static_cast<double>(stats::LogHistogram::memory_ceiling(
                              o.integer_valued ? stats::LogHistogram::exact_integers
                                               : plan.sketch_mantissa_bits));
    // A calibrated run also sketches every input, and again every group column and input
    // weighted (the posterior).
    const bool calibrated = layout.calibration.has_value();
    const double input_sketches =
        static_cast<double>(stats::LogHistogram::memory_ceiling(plan.sketch_mantissa_bits) +
                            stats::LogHistogram::memory_ceiling(plan.sketch_mantissa_bits, true));
    double posterior_sketches = 0.0; // one group's weighted sketches
    double posterior_sketched_columns = 0.0;
    if (calibrated)
        for (std::size_t k = 0; k < layout.outputs.size(); ++k)
            if (layout.calibration->has_posterior(k)) {
                const double width =
                    layout.outputs[k].per_year ? static_cast<double>(layout.years.size()) : 1.0;
                posterior_sketched_columns += groups * width;
                posterior_sketches +=
                    width *
                    static_cast<double>(stats::LogHistogram::memory_ceiling(
                        layout.outputs[k].integer_valued ? stats::LogHistogram::exact_integers
                                                         : plan.sketch_mantissa_bits,
                        true));
            }
    const double sketch_set =
        groups * (group_sketches + posterior_sketches) +
        regret_columns *
            static_cast<double>(stats::LogHistogram::memory_ceiling(plan.sketch_mantissa_bits)) +
        (calibrated ? d * input_sketches : 0.0);
    const double sketched_columns =
        all_columns + (calibrated ? posterior_sketched_columns + 2.0 * d : 0.0);

    // One block's sums (moments of every column, sensitivity sums of the analysed ones): the
    // leaf of the reduction, and the size of each piece rank 0 keeps.
    std::size_t analysed = 0;
    if (const auto& s = layout.sensitivity) {
        for (const std::size_t k : s->outputs)
            analysed += layout.outputs[k].per_year ? s->years.size() : 1;
        analysed *= static_cast<std::size_t>(groups);
    }
    double leaf =
        all_columns * 6 * sizeof(double) +
        (calibrated ? (d * 6 + (posterior_sketched_columns + d) *
                                   static_cast<double>(stats::WeightedMoments::serialized_size)) *
                          sizeof(double)
                    : 0.0);
    if (const auto& s = layout.sensitivity; s && analysed > 0) {
        const std::size_t dim = plan.parameters->dimension();
        stats::BlockSums one;
        if (s->method == io::SensitivityLayout::Method::morris)
            one.morris.assign(1, stats::MorrisSums(dim, s->bootstrap_replicates));
        else
            one.sobol.assign(1, stats::SobolSums(dim, s->bootstrap_replicates, s->second_order));
        leaf += static_cast<double>(analysed) *
                static_cast<double>(one.serialize().size() * sizeof(double));
    }
    const double bytes_per_block = bs * (d + all_columns) * sizeof(double);
    const double per_round =
        std::max(t, std::floor(static_cast<double>(plan.round_bytes) / bytes_per_block));

    RunSizeEstimate e;
    e.memory.push_back({"fixed (libraries, model, experiment)", fixed_bytes, ""});
    // A rank's threads share one set; rank 0 also holds a set it receives from another rank
    // or resumes from a ledger.
    const double sets = (r > 1 || plan.resume) ? 2.0 : 1.0;
    e.memory.push_back({"quantile sketches (" + std::to_string(static_cast<int>(sets)) +
                            " set(s) of " +
                            std::to_string(static_cast<long long>(sketched_columns)) +
                            " columns on rank 0, 1 on the others; each sketch at most " +
                            format_bytes(static_cast<double>(
                                stats::LogHistogram::memory_ceiling(plan.sketch_mantissa_bits))) +
                            ")",
                        sets * sketch_set,
                        "output.quantile_relative_error (each halving doubles it) and the number "
                        "of policies, years and outputs",
                        sketch_set});
    // A ledger gathers every rank's sketches in their flat form on rank 0. A flat sketch has at
    // most one used bucket per value; each used bucket costs its count's varint (at most
    // 3 bytes below 2^21 values) and a run of empty buckets before it (at most 4 bytes).
    const double used = std::min(
        samples,
        2.0 * static_cast<double>(stats::LogHistogram::max_buckets(plan.sketch_mantissa_bits)));
    const double varint = std::ceil(std::log2(std::max(2.0, samples)) / 7.0);
    // Weighted counts take up to 8 bytes more per used bucket.
    const double flat_set = all_columns * (64.0 + (varint + 4.0) * used) +
                            (sketched_columns - all_columns) * (64.0 + 12.0 * used);
    // Counted even with --checkpoint-every 0: a signal still asks for a ledger.
    e.memory.push_back({"checkpoint ledger (" + std::to_string(static_cast<long long>(r)) +
                            " rank(s)' sketches, flat)",
                        std::min(r * flat_set, (r + 1) * sketch_set), "mpiexec -n", 0.0});
    e.memory.push_back({"block sums (a round's leaves and the pieces rank 0 keeps)",
                        leaf * (per_round + 3.0 * r * (std::log2(std::max(1.0, blocks)) + 2.0)),
                        "sensitivity.outputs, sensitivity.years, sensitivity.bootstrap"});
    e.memory.push_back({"per-thread block buffers",
                        t * bs * (3 * d + variants * columns + 2) * sizeof(double),
                        "experiment.block_size"});
    if (raw)
        e.memory.push_back({"raw row buffers of a round",
                            per_round * bs * (d + variants * columns) * sizeof(double),
                            "--round-memory"});

    const double q = static_cast<double>(layout.quantile_levels.size());
    double datasets = groups * static_cast<double>(layout.outputs.size()) * 7.0 + 64.0;
    double bytes = (groups * columns + posterior_sketched_columns) * (6.0 + q) * sizeof(double);
    if (calibrated) {
        datasets +=
            static_cast<double>(layout.calibration->posterior_outputs.size()) * groups * 7.0 +
            14.0 * d + 16.0;
        bytes += 2.0 * d * (6.0 + q) * sizeof(double);
    }
    if (const auto& s = layout.sensitivity; s && analysed > 0) {
        const double per_output = s->method == io::SensitivityLayout::Method::morris ? 6.0 : 10.0;
        datasets += groups * static_cast<double>(s->outputs.size()) * per_output;
        bytes +=
            static_cast<double>(analysed) * d * (s->second_order ? d + 8.0 : 8.0) * sizeof(double);
    }
    e.output_what = "summaries";
    if (raw) {
        // Only the kept outputs have per-sample rows ([output] keep).
        double kept_outputs = 0.0, kept_columns = 0.0;
        for (const auto& o : layout.outputs)
            if (o.kept) {
                kept_outputs += 1.0;
                kept_columns += o.per_year ? static_cast<double>(layout.years.size()) : 1.0;
            }
        datasets += variants * kept_outputs + d + (calibrated ? 1.0 : 0.0);
        bytes += samples * ((d + (calibrated ? 1.0 : 0.0)) * sizeof(double) +
                            variants * kept_columns * (layout.single_precision ? 4.0 : 8.0));
        e.output_what = kept_outputs < static_cast<double>(layout.outputs.size())
                            ? "raw rows of the kept outputs and summaries"
                            : "raw rows and summaries";
    }
    e.output_bytes = bytes + datasets * bytes_per_dataset + 1024.0 * 1024.0;
    return e;
}

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    std::size_t u = 0;
    while (bytes >= 1024.0 && u + 1 < std::size(units)) {
        bytes /= 1024.0;
        ++u;
    }
    char text[32];
    std::snprintf(text, sizeof text, u == 0 || bytes >= 100.0 ? "%.0f %s" : "%.3g %s", bytes,
                  units[u]);
    return text;
}

} // namespace chiprace::parallel
