#include "chiprace/config/policy_sweep.hpp"

#include "chiprace/config/policy_loader.hpp"
#include "chiprace/config/toml_diagnostics.hpp"
#include "chiprace/design/latin_hypercube_design.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <tuple>

namespace chiprace::config {

namespace {

constexpr std::array<std::string_view, 6> sweep_keys{"based_on", "grid",        "sampled",
                                                     "ranges",   "description", "seed"};

std::string shortest(double x) {
    if (std::isinf(x))
        return x > 0 ? "inf" : "-inf";
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);
    return {buf.data(), r.ptr};
}

/// The entries of a table in the order they are written (toml++ keeps keys sorted).
std::vector<std::pair<const toml::key*, const toml::node*>> as_written(const toml::table& t) {
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (const auto& [key, value] : t)
        entries.emplace_back(&key, &value);
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& pa = a.first->source().begin;
        const auto& pb = b.first->source().begin;
        return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
    });
    return entries;
}

bool valid_name(std::string_view name) {
    return !name.empty() && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), [](char ch) {
               return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' ||
                      ch == '.';
           });
}

/// The lever a key of grid or ranges names, or nothing after reporting why not.
std::optional<std::size_t> lever_of(const toml::key& key, std::span<const model::LeverSpec> levers,
                                    const std::string& where, DiagnosticList& errors) {
    std::vector<std::string_view> names;
    for (const auto& lever : levers)
        names.push_back(lever.name);
    const auto it = std::find(names.begin(), names.end(), key.str());
    if (it != names.end())
        return static_cast<std::size_t>(it - names.begin());
    std::string msg = where + ": '" + std::string(key.str()) + "' is not a policy lever";
    if (const auto guess = closest_match(key.str(), names))
        msg += "; did you mean '" + *guess + "'?";
    else if (names.size() <= 8) {
        std::string list;
        for (const auto name : names)
            list += (list.empty() ? "" : ", ") + std::string(name);
        msg += " (the model's levers are " + list + ")";
    } else
        msg += " (`chiprace models <model>` lists them)";
    errors.add(diagnostic_at(key, msg));
    return std::nullopt;
}

/// One range, "ranges.<lever> = [low, high]", or nothing after reporting why not.
std::optional<PolicySweep::Axis> read_range(const toml::key& key, const toml::node& value,
                                            std::span<const model::LeverSpec> levers,
                                            const std::string& where, DiagnosticList& errors) {
    const auto lever = lever_of(key, levers, where, errors);
    if (!lever)
        return std::nullopt;
    const std::string path = where + "." + std::string(key.str());
    const toml::array* arr = value.as_array();
    std::vector<double> ends;
    if (arr != nullptr)
        for (const auto& el : *arr)
            if (const auto v = toml_number(el); v && std::isfinite(*v))
                ends.push_back(*v);
    if (arr == nullptr || arr->size() != 2 || ends.size() != 2 || !(ends[0] < ends[1])) {
        errors.add(diagnostic_at(value, path + " must be [low, high], two finite numbers with "
                                               "low < high"));
        return std::nullopt;
    }
    bool ok = true;
    for (std::size_t e = 0; e < 2; ++e)
        if (const auto problem = lever_value_problem(levers[*lever], ends[e])) {
            errors.add(diagnostic_at(*arr->get(e), path + " must be " + *problem + " (got " +
                                                       shortest(ends[e]) + ")"));
            ok = false;
        }
    if (!ok)
        return std::nullopt;
    return PolicySweep::Axis{*lever, levers[*lever].name, std::move(ends)};
}

/// One axis, "grid.<lever> = [values]", or nothing after reporting why not.
std::optional<PolicySweep::Axis> read_axis(const toml::key& key, const toml::node& value,
                                           std::span<const model::LeverSpec> levers,
                                           const std::string& where, DiagnosticList& errors) {
    const auto lever = lever_of(key, levers, where, errors);
    if (!lever)
        return std::nullopt;
    PolicySweep::Axis axis{*lever, levers[*lever].name, {}};
    const std::string path = where + "." + std::string(key.str());
    const toml::array* arr = value.as_array();
    if (arr == nullptr || arr->empty()) {
        errors.add(diagnostic_at(value, path + " must be a non-empty array of lever values"));
        return std::nullopt;
    }
    bool ok = true;
    for (const auto& el : *arr) {
        if (el.is_table()) {
            errors.add(diagnostic_at(el, path + ": a swept lever takes one number for every "
                                                "year; a year-step table cannot be a sweep value"));
            ok = false;
            continue;
        }
        const auto v = toml_number(el);
        if (!v) {
            errors.add(diagnostic_at(el, path + ": each value must be a number or inf"));
            ok = false;
            continue;
        }
        if (const auto problem = lever_value_problem(levers[axis.lever], *v)) {
            errors.add(
                diagnostic_at(el, path + " must be " + *problem + " (got " + shortest(*v) + ")"));
            ok = false;
            continue;
        }
        if (std::find(axis.values.begin(), axis.values.end(), *v) != axis.values.end()) {
            errors.add(diagnostic_at(el, path + " lists " + shortest(*v) + " twice"));
            ok = false;
            continue;
        }
        axis.values.push_back(*v);
    }
    if (!ok)
        return std::nullopt;
    return axis;
}

} // namespace

std::string sweep_cell_name(std::string_view sweep, std::span<const PolicySweep::Axis> axes,
                            std::span<const double> coordinates) {
    std::string name(sweep);
    for (std::size_t a = 0; a < axes.size(); ++a)
        name += "." + axes[a].lever_name + "=" + shortest(coordinates[a]);
    return name;
}

std::vector<PolicySweep::Cell> sweep_cells(std::string_view sweep,
                                           std::span<const PolicySweep::Axis> axes) {
    std::size_t count = 1;
    for (const auto& axis : axes)
        count *= axis.values.size();
    std::vector<PolicySweep::Cell> cells;
    cells.reserve(count);
    for (std::size_t c = 0; c < count; ++c) {
        // Mixed radix, the last axis the fastest digit.
        std::vector<double> coordinates(axes.size());
        std::size_t rest = c;
        for (std::size_t a = axes.size(); a-- > 0;) {
            coordinates[a] = axes[a].values[rest % axes[a].values.size()];
            rest /= axes[a].values.size();
        }
        cells.push_back({sweep_cell_name(sweep, axes, coordinates), std::move(coordinates)});
    }
    return cells;
}

std::vector<PolicySweep::Cell> sampled_cells(std::string_view sweep,
                                             std::span<const PolicySweep::Axis> axes,
                                             std::uint64_t count, std::uint64_t seed) {
    const design::LatinHypercubeDesign lhs(seed, axes.size(), count);
    std::vector<double> unit(axes.size() * count);
    lhs.unit_points(0, count, unit);
    const std::size_t width = std::to_string(count - 1).size();
    std::vector<PolicySweep::Cell> cells;
    cells.reserve(count);
    for (std::uint64_t k = 0; k < count; ++k) {
        std::vector<double> coordinates(axes.size());
        for (std::size_t a = 0; a < axes.size(); ++a) {
            const double low = axes[a].values[0], high = axes[a].values[1];
            // Inside [low, high] whatever the rounding: both ends were checked as lever values.
            coordinates[a] = std::clamp(low + unit[a * count + k] * (high - low), low, high);
        }
        std::string index = std::to_string(k);
        index.insert(0, width - index.size(), '0');
        cells.push_back({std::string(sweep) + "." + index, std::move(coordinates)});
    }
    return cells;
}

std::vector<PolicySweep> read_policy_sweeps(const toml::node& node, const toml::table& policies,
                                            const std::vector<std::string>& running,
                                            std::span<const model::LeverSpec> levers,
                                            DiagnosticList& errors) {
    const toml::table* sweeps = node.as_table();
    if (sweeps == nullptr || sweeps->empty()) {
        errors.add(diagnostic_at(node, "'policy_sweeps' must be a table of "
                                       "[policy_sweeps.<name>] tables"));
        return {};
    }
    std::set<std::string, std::less<>> taken(running.begin(), running.end());
    for (const auto& [key, value] : policies)
        taken.emplace(key.str());
    std::size_t total = running.size();
    std::vector<PolicySweep> out;
    for (const auto& [key, value] : as_written(*sweeps)) {
        const std::string name(key->str());
        const std::string where = "policy_sweeps." + name;
        const toml::table* t = value->as_table();
        if (t == nullptr) {
            errors.add(diagnostic_at(*key, where + " must be a table with based_on and grid"));
            continue;
        }
        bool ok = true;
        if (!valid_name(name)) {
            errors.add(diagnostic_at(*key, "sweep name '" + name +
                                               "' starts the names of its cells, HDF5 group "
                                               "names: use letters, digits, '-', '_' and '.' "
                                               "only"));
            ok = false;
        }
        for (const auto& [k, v] : *t)
            if (std::find(sweep_keys.begin(), sweep_keys.end(), k.str()) == sweep_keys.end()) {
                errors.add(diagnostic_at(k, unknown_key_message(k.str(), where, sweep_keys)));
                ok = false;
            }
        PolicySweep sweep;
        sweep.name = name;
        if (const toml::node* d = t->get("description")) {
            if (!d->is_string()) {
                errors.add(diagnostic_at(*d, where + ".description must be a string"));
                ok = false;
            } else {
                sweep.description = d->as_string()->get();
            }
        }
        const toml::node* base = t->get("based_on");
        if (base == nullptr) {
            errors.add(diagnostic_at(*key, where + " needs based_on = \"<policy>\": the policy "
                                                   "the levers not swept come from"));
            ok = false;
        } else if (!base->is_string()) {
            errors.add(diagnostic_at(*base, where + ".based_on must be the name of a policy"));
            ok = false;
        } else if (const toml::node* p = policies.get(base->as_string()->get());
                   p == nullptr || !p->is_table()) {
            std::vector<std::string_view> defined;
            for (const auto& [k, v] : policies)
                defined.push_back(k.str());
            std::string msg =
                where + ".based_on: no policy '" + base->as_string()->get() + "' is defined";
            if (const auto guess = closest_match(base->as_string()->get(), defined))
                msg += "; did you mean '" + *guess + "'?";
            errors.add(diagnostic_at(*base, msg));
            ok = false;
        } else {
            sweep.based_on = base->as_string()->get();
        }
        const toml::node* grid = t->get("grid");
        const toml::node* sampled = t->get("sampled");
        const toml::node* ranges = t->get("ranges");
        const toml::node* seed = t->get("seed");
        if (grid != nullptr && (sampled != nullptr || ranges != nullptr)) {
            errors.add(diagnostic_at(sampled != nullptr ? *sampled : *ranges,
                                     where + ": give grid (a full factorial) or sampled and "
                                             "ranges (a Latin hypercube), not both"));
            continue;
        }
        if (grid == nullptr && sampled == nullptr && ranges == nullptr) {
            errors.add(diagnostic_at(*key, where + " needs grid = { <lever> = [values], ... }, "
                                                   "or sampled = <cells> with ranges = "
                                                   "{ <lever> = [low, high], ... }"));
            continue;
        }
        sweep.sampled = grid == nullptr;
        const toml::node* region = grid != nullptr ? grid : ranges; // null: reported below
        const std::string region_name = grid != nullptr ? ".grid" : ".ranges";
        const toml::table* axes = grid != nullptr     ? grid->as_table()
                                  : ranges != nullptr ? ranges->as_table()
                                                      : nullptr;
        if (sweep.sampled && ranges == nullptr) {
            errors.add(diagnostic_at(*key, where + " needs ranges = { <lever> = [low, high], "
                                                   "... } to sample from"));
            ok = false;
        } else if (axes == nullptr || axes->empty()) {
            errors.add(diagnostic_at(
                *region, where + region_name +
                             (grid != nullptr ? " must be a table of lever = [values], such as "
                                                "{ enforcement = [0.5, 1, 2] }"
                                              : " must be a table of lever = [low, high], such "
                                                "as { enforcement = [0.5, 3] }")));
            ok = false;
        } else {
            for (const auto& [lever_key, values] : as_written(*axes)) {
                auto axis =
                    grid != nullptr
                        ? read_axis(*lever_key, *values, levers, where + ".grid", errors)
                        : read_range(*lever_key, *values, levers, where + ".ranges", errors);
                if (axis)
                    sweep.axes.push_back(std::move(*axis));
                else
                    ok = false;
            }
        }
        // Saturated far above the limit, so that the product cannot overflow.
        constexpr std::size_t saturated = std::size_t{1} << 40;
        std::size_t count = 1;
        if (sweep.sampled) {
            const auto n = sampled != nullptr && sampled->is_integer()
                               ? sampled->as_integer()->get()
                               : std::int64_t{0};
            if (sampled == nullptr) {
                errors.add(diagnostic_at(*ranges, where + ".ranges needs sampled = <number of "
                                                          "cells> beside it"));
                ok = false;
            } else if (n < 1) {
                errors.add(diagnostic_at(*sampled, where + ".sampled must be a positive "
                                                           "integer, the number of cells"));
                ok = false;
            } else {
                count = std::min(static_cast<std::size_t>(n), saturated);
            }
            if (seed != nullptr) {
                if (!seed->is_integer() || seed->as_integer()->get() < 0) {
                    errors.add(diagnostic_at(*seed, where + ".seed must be an integer >= 0"));
                    ok = false;
                } else {
                    sweep.seed = static_cast<std::uint64_t>(seed->as_integer()->get());
                }
            }
        } else {
            if (seed != nullptr) {
                errors.add(diagnostic_at(*seed, where + ".seed applies to a sampled sweep (a "
                                                        "grid draws nothing)"));
                ok = false;
            }
            for (const auto& axis : sweep.axes)
                count = std::min(count * axis.values.size(), saturated);
        }
        if (!ok)
            continue;
        total += count;
        if (total > max_sweep_cells) {
            errors.add(diagnostic_at(
                sweep.sampled ? *sampled : *region,
                where + " makes " +
                    (count == saturated ? "more than " + std::to_string(saturated)
                                        : std::to_string(count)) +
                    " cells, more than " + std::to_string(max_sweep_cells) + " policies in all; " +
                    (sweep.sampled ? "sample fewer" : "sweep fewer values")));
            continue;
        }
        sweep.cells = sweep.sampled ? sampled_cells(name, sweep.axes, count, sweep.seed)
                                    : sweep_cells(name, sweep.axes);
        for (const auto& cell : sweep.cells)
            if (!taken.insert(cell.policy).second) {
                errors.add(diagnostic_at(*key, where + ": its cell '" + cell.policy +
                                                   "' has the name of another policy or cell"));
                ok = false;
                break;
            }
        if (ok)
            out.push_back(std::move(sweep));
    }
    return out;
}

} // namespace chiprace::config
