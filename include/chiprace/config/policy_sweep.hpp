#pragma once
// [policy_sweeps.<name>]: a full-factorial grid over policy levers. Each cell is a policy based
// on another one with each swept lever set to one value for every year; cells run like any
// policy, on the same sampled futures (docs/config.md, "Sweeping policy levers").

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/model/model_definition.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <utility>
#include <vector>

namespace chiprace::config {

/// More cells than this in all sweeps is almost surely a mistake (an extra value or axis);
/// the run's size check judges the memory of anything below it.
inline constexpr std::size_t max_sweep_cells = 10000;

struct PolicySweep {
    std::string name;
    std::string based_on; // the policy every lever not swept comes from
    std::string description;
    bool sampled = false;   // a Latin hypercube over ranges rather than a full-factorial grid
    std::uint64_t seed = 0; // of the Latin hypercube
    struct Axis {
        std::size_t lever;          // index among the model's levers
        std::string lever_name;     // its name, for cell names and the file
        std::vector<double> values; // grid: as written; sampled: the range [low, high]
    };
    std::vector<Axis> axes; // as written: the first varies slowest across a grid's cells
    struct Cell {
        std::string policy;              // the cell's policy name (sweep_cell_name)
        std::vector<double> coordinates; // one value per axis
    };
    std::vector<Cell> cells;
};

/// "<sweep>.<lever>=<value>.<lever>=<value>…", axes in order, each value in its shortest exact
/// decimal form ("0.5", "2", "1e+06", "inf"): a valid HDF5 group name, readable in a listing.
std::string sweep_cell_name(std::string_view sweep, std::span<const PolicySweep::Axis> axes,
                            std::span<const double> coordinates);

/// Every cell of the full factorial over `axes`, the first axis varying slowest.
std::vector<PolicySweep::Cell> sweep_cells(std::string_view sweep,
                                           std::span<const PolicySweep::Axis> axes);

/// `count` cells of a Latin hypercube over the axes' ranges [low, high] (McKay et al. 1979:
/// each of `count` equal strata of each range holds one cell), keyed by `seed` as the lhs
/// design is; named "<sweep>.<k>", k zero-padded so that names sort in cell order.
std::vector<PolicySweep::Cell> sampled_cells(std::string_view sweep,
                                             std::span<const PolicySweep::Axis> axes,
                                             std::uint64_t count, std::uint64_t seed);

/// Reads [policy_sweeps] (in the order written) and reports, all in one pass: a sweep that is
/// not a table, unknown keys, a based_on that names no policy, an unknown lever (with a
/// suggestion), an empty axis, a value that is not a number, out of the lever's range or given
/// twice, a cell name that another policy or cell already has, and more than max_sweep_cells
/// policies in all (`policies` already running).
std::vector<PolicySweep> read_policy_sweeps(const toml::node& sweeps, const toml::table& policies,
                                            const std::vector<std::string>& running,
                                            std::span<const model::LeverSpec> levers,
                                            DiagnosticList& errors);

} // namespace chiprace::config
