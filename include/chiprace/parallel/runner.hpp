#pragma once
// Runs an experiment's samples across MPI ranks and OpenMP threads and writes the result file.
//
// The sample range is cut into fixed-size blocks. Each rank takes a contiguous range of
// blocks; inside a rank, blocks are computed by OpenMP threads a round at a time (a round
// bounds the memory); per-block moments are reduced in a fixed dyadic tree over block
// indices, and quantile sketches merge exactly. So the file is bitwise the same for any
// number of ranks and threads (docs/design.md, invariant 2).

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/design/design.hpp"
#include "chiprace/io/result_layout.hpp"
#include "chiprace/model/model.hpp"
#include "chiprace/random/gaussian_copula.hpp"
#include "chiprace/random/parameter_space.hpp"
#include "chiprace/stats/observation.hpp"

#include <cstdint>
#include <functional>
#include <mpi.h>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chiprace::parallel {

struct RunPlan {
    const model::Model* model = nullptr;
    const random::ParameterSpace* parameters = nullptr;
    const design::Design* design = nullptr;
    const random::GaussianCopula* copula = nullptr; // rank correlations, or none
    std::uint64_t samples = 0;
    std::uint64_t block_size = 1024;
    std::uint64_t seed = 0; // keys the bootstrap weights of sensitivity analysis
    unsigned sketch_mantissa_bits = 8;
    /// (variant, reference variant) per contrast, in the order of layout.contrast_groups.
    std::vector<std::pair<std::size_t, std::size_t>> contrasts;
    io::ResultLayout layout;   // what the file holds
    io::RootMetadata metadata; // provenance written at creation
    std::string output_path;   // final name; written as output_path + ".partial"
    /// Called on rank 0 after each round with (runs done, runs in total), estimated from rank
    /// 0's own share: ranks hold equal shares, and asking the others would cost a message.
    std::function<void(std::uint64_t, std::uint64_t)> progress;
    /// Adaptive stopping of a Sobol' analysis ([sensitivity] target_ci_width): stages of
    /// first_runs runs, then doubling, until every index's interval is at most target_width wide
    /// or all `samples` runs are done. Summary mode only.
    struct Adaptive {
        std::uint64_t first_runs = 0;
        double target_width = 0.0;
    };
    std::optional<Adaptive> adaptive;
    /// Rank 0 after each adaptive stage: (runs done, widest interval, stopping).
    std::function<void(std::uint64_t, double, bool)> progress_note;
    /// Checkpointing (docs/running.md): the ledger OUT.checkpoint is rewritten every this many
    /// seconds (0: only when a signal asks the run to stop) and removed when the run completes.
    double checkpoint_seconds = 60.0;
    /// Rank 0 after a ledger when the interval is or was stretched to keep ledgers within
    /// their share of the run (parallel/checkpoint_clock.hpp): (seconds to the next ledger,
    /// asked seconds, seconds the last ledger took, share).
    std::function<void(double, double, double, double)> checkpoint_note;
    /// [output] on_nonfinite = "error": a non-finite output value fails the run (no result).
    bool nonfinite_is_error = false;
    /// Continue from OUT.checkpoint and OUT.partial instead of starting over.
    bool resume = false;
    /// Part `index` of `count` (job arrays): only that contiguous share of the blocks; the run
    /// ends with its ledger as OUT (and its rows as OUT.rows), for merge_parts.
    struct Part {
        std::uint64_t index = 0, count = 1;
    };
    std::optional<Part> part;
    /// What a ledger must match to be resumed: the resolved experiment (JSON, without fields
    /// that do not change results), and the software version (same major).
    std::string identity;
    std::string software_version;
    /// Calibration (layout.calibration set): each target's observation of one model column
    /// (variant, column within it).
    struct CalibrationTarget {
        std::size_t variant = 0, column = 0;
        stats::Observation observation;
    };
    std::vector<CalibrationTarget> calibration_targets;
    /// Upper bound on the per-rank round buffers, bytes.
    std::size_t round_bytes = std::size_t{64} << 20;
};

/// --resume found a ledger that belongs to another experiment (or software major version).
class ResumeRefused : public RuntimeFailure {
public:
    using RuntimeFailure::RuntimeFailure;
};

struct RunReport {
    double seconds = 0.0;
    std::uint64_t samples = 0;
    std::uint64_t non_finite_values = 0; // over every output column and variant
    bool interrupted = false;            // a signal stopped the run; it left a ledger
    std::string interrupt_signal;        // "SIGTERM", "SIGINT" or "SIGUSR1"
    std::string late_signal;     // a signal that came after the last round: the run still completed
    std::string stopping_reason; // adaptive runs: why they stopped
    /// Calibrated runs: the Kish effective sample size, and whether the posterior was left out
    /// because it fell below min_ess with on_low_ess = "error".
    double ess = 0.0;
    bool posterior_refused = false;
    double widest_interval = 0.0; // adaptive runs: at the last check
    /// Raw writes on this rank that HDF5 performed independently instead of collectively,
    /// with its reason; empty when every write was collective, as it should be.
    std::vector<std::string> collective_breaks;
};

/// Rank 0 alone: the result of the part files (written by runs with `part`) that together
/// cover every block, bitwise the datasets a single run writes. Throws ResumeRefused when the
/// parts do not fit together (another experiment, a part missing or given twice).
RunReport merge_parts(const RunPlan& plan, const std::vector<std::string>& parts);

/// Collective over comm. Throws RuntimeFailure on I/O errors (the caller aborts the job).
RunReport run(const RunPlan& plan, MPI_Comm comm);

} // namespace chiprace::parallel
