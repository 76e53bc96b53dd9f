#pragma once
// PRIM (Friedman & Fisher 1999) for scenario discovery (Bryant & Lempert 2010) with the
// semantics of the EMA Workbench 2.5.3 (its Prim.find_box on numeric inputs): peeling at
// get_quantile with the LENIENT1 objective (gain in mean per row removed), ties towards more
// unrestricted dimensions and then the first candidate in input order (upper before lower),
// stopping at mass_min; then pasting (lower before upper) while the mean improves. Each rank
// holds a range of the rows; counts are exact integers reduced across ranks and quantiles are
// exact (distributed_quantile.hpp), so the trajectory is the same for any number of ranks.

#include "chiprace/discovery/reduction.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace chiprace::discovery {

struct PrimSettings {
    double peel_alpha = 0.05;
    double paste_alpha = 0.05;
    double mass_min = 0.05;
};

/// Closed limits per input: a row is in the box when lower[j] <= x[j] <= upper[j] for every j.
struct BoxLimits {
    std::vector<double> lower, upper;
};

struct PrimStep {
    BoxLimits limits;
    std::uint64_t rows = 0;  // in the box
    std::uint64_t cases = 0; // of interest in the box
    double coverage = 0.0;   // cases / all cases
    double density = 0.0;    // cases / rows
    double mass = 0.0;       // rows / all rows
    double mean = 0.0;       // of the 0/1 flag in the box: the density, as EMA reports it
    std::size_t restricted = 0;
};

struct PrimTrajectory {
    BoxLimits initial; // each input's minimum and maximum over all rows
    std::uint64_t rows = 0, cases = 0;
    /// steps[0] is the initial box, then one step per accepted peel, then per accepted paste.
    std::vector<PrimStep> steps;
    std::size_t peels = 0, pastes = 0;
};

/// This rank's rows: columns[j][r] is input j of local row r (finite, -0.0 stored as +0.0),
/// is_case[r] is 1 for a case of interest and 0 otherwise.
struct PrimRows {
    std::vector<std::span<const double>> columns;
    std::span<const std::uint8_t> is_case;
};

/// Memory beyond the rows: one sorted order of 4 bytes per row and input, plus the candidate
/// lists of a paste step (at most a few bytes per row). Collective. Throws std::invalid_argument
/// for settings outside (0, 1) and for a data set without rows or without cases.
[[nodiscard]] PrimTrajectory prim(const PrimRows& data, const PrimSettings& settings,
                                  Reduction& reduction);

/// Inputs the limits restrict: a limit that differs from the initial box's.
[[nodiscard]] std::vector<std::size_t> restricted_inputs(const BoxLimits& limits,
                                                         const BoxLimits& initial);

/// The step a user gets by default: the highest coverage among steps with density >= threshold
/// (the first such step on a tie); when no step reaches it, the step of highest density.
[[nodiscard]] std::size_t choose_step(const PrimTrajectory& t, double threshold);

} // namespace chiprace::discovery
