#include "chiprace/parallel/runner.hpp"

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/core/utc_time.hpp"
#include "chiprace/io/raw_row_writer.hpp"
#include "chiprace/io/result_file.hpp"
#include "chiprace/parallel/mpi_session.hpp"
#include "chiprace/stats/column_summary.hpp"
#include "chiprace/stats/dyadic_reduction.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <exception>
#include <mutex>
#include <omp.h>
#include <optional>

namespace chiprace::parallel {

namespace {

using Reduction = stats::DyadicReduction<stats::MomentsBlock>;

struct BlockRange {
    std::uint64_t first = 0, end = 0;
    [[nodiscard]] std::uint64_t size() const { return end - first; }
};

/// Rank r's contiguous share of B blocks; shares differ by at most one block.
BlockRange share(std::uint64_t blocks, int rank, int ranks) {
    const auto r = static_cast<std::uint64_t>(rank);
    const auto n = static_cast<std::uint64_t>(ranks);
    return {blocks * r / n, blocks * (r + 1) / n};
}

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
                          stats::MomentsBlock::deserialize(data.subspan(pos, len))});
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

constexpr int tag_moments = 101;
constexpr int tag_sketches = 102;

} // namespace

RunReport run(const RunPlan& plan, MPI_Comm comm) {
    const auto started = std::chrono::steady_clock::now();
    int rank = 0, ranks = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);

    const auto& model = *plan.model;
    const std::size_t d = plan.parameters->dimension();
    const std::size_t variants = model.variant_count();
    const std::size_t columns = model.column_count();
    const std::size_t contrasts = plan.contrasts.size();
    // Summary columns: each variant's outputs, then each contrast's paired differences.
    const std::size_t all_columns = (variants + contrasts) * columns;
    const std::uint64_t bs = plan.block_size;
    const std::uint64_t blocks = (plan.samples + bs - 1) / bs;
    const bool raw = plan.layout.store_raw;
    const std::string partial = plan.output_path + ".partial";

    // Rank 0 lays out the file; the others wait for its verdict rather than hang.
    std::string create_error;
    if (rank == 0) {
        try {
            io::create_result_file(partial, plan.layout, plan.metadata);
        } catch (const std::exception& e) {
            create_error = "cannot create " + partial + ": " + e.what();
        }
    }
    if (!broadcast_flag(create_error.empty(), comm))
        throw RuntimeFailure(create_error.empty() ? "rank 0 could not create the result file"
                                                  : create_error);

    const int threads = std::max(1, omp_get_max_threads());
    const std::size_t bytes_per_block = bs * (d + all_columns) * sizeof(double);
    const std::uint64_t per_round =
        std::max<std::uint64_t>(static_cast<std::uint64_t>(threads),
                                plan.round_bytes / std::max<std::size_t>(1, bytes_per_block));
    const BlockRange mine = share(blocks, rank, ranks);
    std::uint64_t largest_share = 0;
    for (int r = 0; r < ranks; ++r)
        largest_share = std::max(largest_share, share(blocks, r, ranks).size());
    // Collective writes need the same number of rounds on every rank.
    const std::uint64_t rounds = (largest_share + per_round - 1) / per_round;

    std::optional<io::RawRowWriter> writer;
    if (raw)
        writer.emplace(partial, plan.layout, comm);

    Reduction reduction;
    // Integer-valued outputs (years) are counted exactly; the rest within the sketch's bound.
    std::vector<unsigned> precision;
    for (std::size_t g = 0; g < variants + contrasts; ++g)
        for (const auto& o : plan.layout.outputs)
            precision.insert(precision.end(), o.per_year ? plan.layout.years.size() : 1,
                             o.integer_valued ? stats::LogHistogram::exact_integers
                                              : plan.sketch_mantissa_bits);
    std::vector<stats::SketchSet> sketches(static_cast<std::size_t>(threads),
                                           stats::SketchSet(precision));
    const std::size_t round_rows = raw ? per_round * bs : 0;
    std::vector<double> round_inputs(raw ? d * round_rows : 0);
    std::vector<std::vector<double>> round_outputs(
        variants, std::vector<double>(raw ? columns * round_rows : 0));

    for (std::uint64_t round = 0; round < rounds; ++round) {
        const std::uint64_t s = std::min(mine.end, mine.first + round * per_round);
        const std::uint64_t e = std::min(mine.end, s + per_round);
        const std::uint64_t n_blocks = e - s;
        const std::uint64_t first_row = s * bs;
        const std::uint64_t rows = n_blocks ? std::min(plan.samples, e * bs) - first_row : 0;
        std::vector<stats::MomentsBlock> leaves(n_blocks);
        std::exception_ptr failure;
        std::mutex failure_lock;

#pragma omp parallel num_threads(threads)
        {
            const auto tid = static_cast<std::size_t>(omp_get_thread_num());
            std::vector<double> unit(d * bs), values(d * bs), outputs(variants * columns * bs),
                difference(bs);
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
                    leaf.columns.resize(all_columns);
                    const model::InputBlock in(std::span<const double>(values).first(d * n), n);
                    auto accumulate = [&](std::size_t c, std::span<const double> col) {
                        leaf.columns[c] = stats::RunningMoments::of(col);
                        sketches[tid].columns[c].add(col, leaf.columns[c].min, leaf.columns[c].max);
                    };
                    // Every policy meets the same sampled futures (common random numbers).
                    std::vector<model::OutputBlock> outs;
                    for (std::size_t v = 0; v < variants; ++v) {
                        outs.emplace_back(
                            std::span<double>(outputs).subspan(v * columns * n, columns * n), n);
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
            reduction.push_block(s + k, std::move(leaves[k]));
        if (rank == 0 && plan.progress && mine.size() > 0) {
            const double share =
                static_cast<double>(e - mine.first) / static_cast<double>(mine.size());
            plan.progress(std::min(plan.samples, static_cast<std::uint64_t>(
                                                     share * static_cast<double>(plan.samples))),
                          plan.samples);
        }
        if (writer) {
            std::vector<std::span<const double>> outs;
            for (const auto& o : round_outputs)
                outs.emplace_back(o);
            writer->write(first_row, rows, round_inputs, outs, rows);
        }
    }
    std::vector<std::string> collective_breaks;
    if (writer) {
        collective_breaks = writer->broken_collective();
        writer->close();
    }

    for (int t = 1; t < threads; ++t)
        sketches[0].merge(sketches[static_cast<std::size_t>(t)]);

    RunReport report;
    report.samples = plan.samples;
    report.collective_breaks = std::move(collective_breaks);
    std::string finish_error;
    if (rank != 0) {
        const auto moments = pack(reduction.pieces());
        const auto sk = sketches[0].serialize();
        MPI_Send(moments.data(), static_cast<int>(moments.size()), MPI_DOUBLE, 0, tag_moments,
                 comm);
        MPI_Send(sk.data(), static_cast<int>(sk.size()), MPI_UINT64_T, 0, tag_sketches, comm);
    } else {
        Reduction total;
        for (auto& p : reduction.pieces())
            total.push(std::move(p));
        for (int r = 1; r < ranks; ++r) {
            const auto moments = receive_vector<double>(r, tag_moments, MPI_DOUBLE, comm);
            for (auto& p : unpack(moments))
                total.push(std::move(p));
            const auto sk = receive_vector<std::uint64_t>(r, tag_sketches, MPI_UINT64_T, comm);
            sketches[0].merge(stats::SketchSet::deserialize(sk));
        }
        try {
            auto merged = std::move(total).finish();
            std::vector<io::SummaryGroup> groups;
            for (std::size_t v = 0; v < variants; ++v) {
                io::SummaryGroup g{plan.layout.variant_groups[v], {}};
                for (std::size_t c = 0; c < columns; ++c) {
                    const auto& m = merged->columns[v * columns + c];
                    report.non_finite_values += m.non_finite;
                    g.columns.push_back(stats::summarize(m, sketches[0].columns[v * columns + c],
                                                         plan.layout.quantile_levels));
                }
                groups.push_back(std::move(g));
            }
            for (std::size_t p = 0; p < contrasts; ++p) {
                io::SummaryGroup g{plan.layout.contrast_groups[p], {}};
                for (std::size_t c = 0; c < columns; ++c) {
                    const std::size_t col = (variants + p) * columns + c;
                    g.columns.push_back(stats::summarize(merged->columns[col],
                                                         sketches[0].columns[col],
                                                         plan.layout.quantile_levels));
                }
                groups.push_back(std::move(g));
            }
            report.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const std::vector<io::Attribute> closing{
                {"completed_utc", utc_now_iso8601()},
                {"wall_seconds", report.seconds},
                {"n_non_finite", static_cast<std::int64_t>(report.non_finite_values)},
            };
            io::write_summaries(partial, plan.layout, groups, closing);
            io::publish_result_file(partial, plan.output_path);
        } catch (const std::exception& e) {
            finish_error = e.what();
        }
    }
    if (!broadcast_flag(finish_error.empty(), comm))
        throw RuntimeFailure(finish_error.empty() ? "rank 0 could not finish the result file"
                                                  : finish_error);
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace chiprace::parallel
