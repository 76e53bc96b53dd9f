// parallel::run at whatever rank count mpiexec gave, checked against the same samples
// computed serially in-process: rows bitwise, summaries bitwise (block-order reduction).

#include "chiprace/app/run_plan_builder.hpp"
#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/design/monte_carlo_design.hpp"
#include "chiprace/io/result_reader.hpp"
#include "chiprace/parallel/runner.hpp"
#include "chiprace/stats/column_summary.hpp"
#include "chiprace/stats/dyadic_reduction.hpp"

#include <bit>
#include <cstring>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <mpi.h>
#include <unistd.h>

using namespace chiprace;
namespace fs = std::filesystem;

namespace {

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}
int world_size() {
    int r = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &r);
    return r;
}

/// A path every rank agrees on, unique to this run.
std::string shared_temp_path(const std::string& stem) {
    long pid = static_cast<long>(::getpid());
    MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    return (fs::temp_directory_path() / (stem + "-" + std::to_string(pid) + ".h5")).string();
}

config::Experiment experiment(std::uint64_t samples, std::uint64_t block, const std::string& store,
                              const std::string& output_extra) {
    const std::string toml_path = shared_temp_path("chiprace-mpi-exp") + ".toml";
    if (world_rank() == 0) {
        std::ofstream(toml_path) << "[experiment]\nname = \"mpi\"\nmodel = \"ishigami\"\n"
                                    "samples = "
                                 << samples << "\nseed = 99\nblock_size = " << block
                                 << "\n[parameters]\n"
                                    "x1 = { dist = \"uniform\", low = -3.14, high = 3.14 }\n"
                                    "x2 = { dist = \"normal\", mean = 0, sd = 1 }\n"
                                    "x3 = { dist = \"beta\", alpha = 2, beta = 5 }\n"
                                    "[output]\nstore = \""
                                 << store << "\"\n"
                                 << output_extra;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    auto ex = config::load_experiment(toml_path);
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0)
        fs::remove(toml_path);
    return ex;
}

struct Serial {
    std::vector<double> y;
    stats::RunningMoments moments;
    stats::LogHistogram sketch;
};

/// The same samples, one block at a time, in one process.
Serial serial(const config::Experiment& ex) {
    const design::MonteCarloDesign mc(ex.seed, ex.parameters.dimension());
    const std::size_t d = ex.parameters.dimension();
    Serial s{{}, {}, stats::LogHistogram(ex.output.sketch_mantissa_bits)};
    stats::DyadicReduction<stats::MomentsBlock> reduction;
    for (std::uint64_t b = 0; b < ex.block_count(); ++b) {
        const std::uint64_t start = b * ex.block_size;
        const std::size_t n = std::min<std::uint64_t>(ex.block_size, ex.samples - start);
        std::vector<double> unit(d * n), values(d * n), y(n);
        mc.unit_points(start, n, unit);
        ex.parameters.to_values(unit, n, values);
        model::OutputBlock out(y, n);
        ex.model->evaluate(0, model::InputBlock(values, n), out);
        s.y.insert(s.y.end(), y.begin(), y.end());
        s.sketch.add(y);
        reduction.push_block(b, stats::MomentsBlock{{stats::RunningMoments::of(y)}});
    }
    s.moments = std::move(reduction).finish()->columns[0];
    return s;
}

void run_and_compare(std::uint64_t samples, std::uint64_t block, const std::string& store,
                     const std::string& output_extra = "") {
    const auto ex = experiment(samples, block, store, output_extra);
    const design::MonteCarloDesign mc(ex.seed, ex.parameters.dimension(), ex.samples);
    const std::string path = shared_temp_path("chiprace-mpi-run-" + store);
    const auto plan = app::make_run_plan(ex, mc, path, "test", world_size(), 1);
    const auto report = parallel::run(plan, MPI_COMM_WORLD);
    CHECK(report.samples == samples);
    // Collective I/O really happened, on every rank (HDF5's no-collective-cause query).
    INFO("collective breaks: " << (report.collective_breaks.empty()
                                       ? ""
                                       : report.collective_breaks.front()));
    CHECK(report.collective_breaks.empty());
    if (world_rank() == 0) {
        CHECK_FALSE(fs::exists(path + ".partial"));
        const auto ref = serial(ex);
        const auto overview = io::read_result_overview(path);
        REQUIRE(overview.summaries.size() == 1);
        const auto& sum = overview.summaries[0];
        CHECK(std::bit_cast<std::uint64_t>(sum.mean[0]) ==
              std::bit_cast<std::uint64_t>(ref.moments.mean));
        CHECK(std::bit_cast<std::uint64_t>(sum.std_dev[0]) ==
              std::bit_cast<std::uint64_t>(ref.moments.std_dev()));
        CHECK(sum.min[0] == ref.moments.min);
        CHECK(sum.max[0] == ref.moments.max);
        CHECK(sum.n_finite[0] == static_cast<std::int64_t>(samples));
        for (std::size_t q = 0; q < overview.quantile_levels.size(); ++q)
            CHECK(sum.quantiles[q] == ref.sketch.quantile(overview.quantile_levels[q],
                                                          ref.moments.min, ref.moments.max));
        CHECK(overview.has_raw_rows == (store == "raw"));
        if (store == "raw") {
            const auto y = io::read_raw_dataset(path, "/outputs/y");
            REQUIRE(y.size() == ref.y.size());
            CHECK(std::memcmp(y.data(), ref.y.data(), y.size() * sizeof(double)) == 0);
        }
        fs::remove(path);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

} // namespace

TEST_CASE("raw rows and summaries equal a serial computation, bit for bit") {
    run_and_compare(5000, 256, "raw");
}

TEST_CASE("compressed rows (deflate + shuffle) are written collectively and read back exactly") {
    run_and_compare(3000, 256, "raw", "compression = 4\n");
}

TEST_CASE("summary mode stores no rows and keeps the same summaries") {
    run_and_compare(5000, 256, "summary");
}

TEST_CASE("a rank without blocks still takes part (more ranks than blocks)") {
    run_and_compare(300, 256, "raw");
}

TEST_CASE("a partial last block and a single block") {
    run_and_compare(1000, 1000, "raw");
    run_and_compare(1001, 100, "raw");
}
