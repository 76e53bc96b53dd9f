#include "chiprace/app/run_plan_builder.hpp"
#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/parallel/run_size_estimate.hpp"
#include "chiprace/random/counter_stream.hpp"
#include "chiprace/stats/column_summary.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <string>
#include <vector>

using chiprace::parallel::estimate_run_size;
using chiprace::parallel::format_bytes;
using chiprace::parallel::RunSizeEstimate;
using chiprace::stats::LogHistogram;

namespace {

struct Flagship {
    chiprace::config::Experiment ex;
    std::unique_ptr<chiprace::design::Design> design;
    chiprace::parallel::RunPlan plan;
    explicit Flagship(std::vector<std::string> overrides, int ranks = 1, int threads = 2)
        : ex(chiprace::config::load_experiment(
              CHIPRACE_SOURCE_DIR "/experiments/policy_comparison.toml", overrides)),
          design(chiprace::app::make_design(ex)),
          plan(chiprace::app::make_run_plan(ex, *design, "out.h5", "test", ranks, threads)) {}
};

double term(const RunSizeEstimate& e, const std::string& prefix) {
    for (const auto& t : e.memory)
        if (t.what.rfind(prefix, 0) == 0)
            return t.bytes;
    FAIL("no term " << prefix);
    return 0.0;
}

} // namespace

TEST_CASE("the run size estimate counts every sketch at its ceiling") {
    const Flagship f({"output.store=summary"});
    const auto e = estimate_run_size(f.plan, 1, 2);
    // 6 policies and 5 contrasts, each with compute_race version 2's 35 series over the
    // flagship's 11 years (2025-2035) and its 3 scalars: 35 * 11 + 3 = 388 columns, of which one
    // (first_year_gap_below_1, a year) is integer-valued: 387 real-valued columns and one
    // integer column per group; and the regret of the flagship's 3 robustness objectives for
    // each of the 6 policies: 18 real-valued columns.
    const double expected = 11.0 * (387.0 * static_cast<double>(LogHistogram::memory_ceiling(8)) +
                                    static_cast<double>(LogHistogram::memory_ceiling(0))) +
                            18.0 * static_cast<double>(LogHistogram::memory_ceiling(8));
    CHECK(term(e, "quantile sketches") == expected);
    CHECK(e.dominant().what.rfind("quantile sketches", 0) == 0);
    CHECK(e.memory_bytes() > expected);
    // Threads share a rank's set; rank 0 of several ranks also holds a received one.
    CHECK(term(estimate_run_size(f.plan, 1, 16), "quantile sketches") == expected);
    const auto four = estimate_run_size(f.plan, 4, 2);
    CHECK(term(four, "quantile sketches") == 2 * expected);
    // Rank 0 alone holds the second set and the ledger; the other ranks hold neither.
    CHECK(four.other_rank_bytes() ==
          doctest::Approx(four.memory_bytes() - expected - term(four, "checkpoint")));
    CHECK(four.other_rank_bytes() > expected);
    // Each halving of the relative error doubles the real-valued columns' ceiling.
    const Flagship finer({"output.store=summary", "output.quantile_relative_error=0.001"});
    const double ratio = term(estimate_run_size(finer.plan, 1, 2), "quantile sketches") / expected;
    CHECK(ratio > 1.98);
    CHECK(ratio < 2.0);
    // A summary file is small; raw rows add 8 bytes per sample and column: the flagship's
    // inputs, every one of the 62 parameters (experiments/priors/default.toml defines all 62,
    // the flagship adds none), and the 6 policies' 388 output columns each.
    CHECK(e.output_bytes < 64.0 * 1024 * 1024);
    const Flagship raw({"output.store=raw", "experiment.samples=100000"});
    const auto r = estimate_run_size(raw.plan, 1, 2);
    const double rows = 100000.0 * (62 + 6 * 388) * 8;
    CHECK(r.output_bytes > rows);
    CHECK(r.output_bytes < rows + 64.0 * 1024 * 1024);
    CHECK(term(r, "raw row buffers") > 0);
}

TEST_CASE("with output.keep the file's raw rows are those of the kept outputs only") {
    const Flagship all({"output.store=raw", "experiment.samples=100000"});
    const Flagship kept({"output.store=raw", "experiment.samples=100000",
                         "output.keep=[\"frontier_gap_years\", \"first_year_gap_below_1\"]"});
    const auto a = estimate_run_size(all.plan, 1, 2);
    const auto k = estimate_run_size(kept.plan, 1, 2);
    // Every input, and per policy one series of 11 years and one scalar.
    const double rows = 100000.0 * (62 + 6 * (11 + 1)) * 8;
    CHECK(k.output_bytes > rows);
    CHECK(k.output_bytes < rows + 64.0 * 1024 * 1024);
    CHECK(k.output_what == "raw rows of the kept outputs and summaries");
    // The rows of a round are computed in full before they are written: memory is unchanged.
    CHECK(k.memory_bytes() == a.memory_bytes());
}

TEST_CASE("a rank's sketch set fed values over the whole double range stays within the estimate") {
    const Flagship f({"output.store=summary"});
    const auto& layout = f.plan.layout;
    std::vector<unsigned> precision;
    for (std::size_t g = 0; g < layout.variant_groups.size() + layout.contrast_groups.size(); ++g)
        for (const auto& o : layout.outputs)
            precision.insert(precision.end(), o.per_year ? layout.years.size() : 1,
                             o.integer_valued ? LogHistogram::exact_integers : 8u);
    chiprace::stats::SketchSet set(precision);
    std::vector<double> x(4096);
    for (std::size_t i = 0; i < x.size(); ++i) {
        chiprace::random::CounterStream s(7, i, chiprace::random::StreamPurpose::sample_inputs);
        const double u = s.uniform_open01();
        const double magnitude = std::ldexp(1.0 + u, static_cast<int>(u * 2040.0) - 1020);
        x[i] = i % 2 == 0 ? magnitude : -magnitude;
    }
    std::vector<double> integers(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        integers[i] = std::trunc(x[i] * 0x1.0p-960); // integers up to about 2^64: wide, exact
    double held = 0.0;
    for (std::size_t c = 0; c < set.columns.size(); ++c) {
        auto& h = set.columns[c];
        if (h.mantissa_bits() == LogHistogram::exact_integers) {
            for (auto& v : integers)
                v = std::fabs(v) > 0x1.0p53 ? std::trunc(std::fmod(v, 0x1.0p53)) : v;
            h.add(integers);
        } else {
            h.add(x);
        }
        const auto [pos, neg] = h.buckets();
        held += static_cast<double>(sizeof(LogHistogram) + (pos + neg) * 10);
    }
    const double bound = term(estimate_run_size(f.plan, 1, 2), "quantile sketches");
    CHECK(held <= bound);
    CHECK(held > 0.9 * bound); // and the bound is reached: it is the worst case, not a guess
}

TEST_CASE("byte counts print in binary units") {
    CHECK(format_bytes(512) == "512 B");
    CHECK(format_bytes(1536) == "1.5 KiB");
    CHECK(format_bytes(640.0 * 1024) == "640 KiB");
    CHECK(format_bytes(2.5 * 1024 * 1024 * 1024) == "2.5 GiB");
}
