#include "chiprace/config/policy_sweep.hpp"

#include "chiprace/config/policy_loader.hpp"
#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <tuple>

namespace chiprace::config {

namespace {

constexpr std::array<std::string_view, 3> sweep_keys{"based_on", "grid", "description"};

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

/// One axis, "grid.<lever> = [values]", or nothing after reporting why not.
std::optional<PolicySweep::Axis> read_axis(const toml::key& key, const toml::node& value,
                                           const std::string& where, DiagnosticList& errors) {
    const auto& names = model::lever_names();
    const auto it = std::find(names.begin(), names.end(), key.str());
    if (it == names.end()) {
        std::string msg = where + ": '" + std::string(key.str()) + "' is not a policy lever";
        if (const auto guess = closest_match(key.str(), names))
            msg += "; did you mean '" + *guess + "'?";
        else
            msg += " (docs/model.md section 3 lists them)";
        errors.add(diagnostic_at(key, msg));
        return std::nullopt;
    }
    PolicySweep::Axis axis{static_cast<model::Lever>(it - names.begin()), {}};
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
        if (const auto problem = lever_value_problem(axis.lever, *v)) {
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
        name += "." + std::string(model::lever_names()[static_cast<std::size_t>(axes[a].lever)]) +
                "=" + shortest(coordinates[a]);
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

std::vector<PolicySweep> read_policy_sweeps(const toml::node& node, const toml::table& policies,
                                            const std::vector<std::string>& running,
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
        if (grid == nullptr) {
            errors.add(diagnostic_at(*key, where + " needs grid = { <lever> = [values], ... }"));
            continue;
        }
        const toml::table* axes = grid->as_table();
        if (axes == nullptr || axes->empty()) {
            errors.add(diagnostic_at(*grid, where + ".grid must be a table of lever = [values], "
                                                    "such as { enforcement = [0.5, 1, 2] }"));
            continue;
        }
        for (const auto& [lever_key, values] : as_written(*axes)) {
            if (auto axis = read_axis(*lever_key, *values, where + ".grid", errors))
                sweep.axes.push_back(std::move(*axis));
            else
                ok = false;
        }
        if (!ok)
            continue;
        // Saturated far above the limit, so that the product cannot overflow.
        constexpr std::size_t saturated = std::size_t{1} << 40;
        std::size_t count = 1;
        for (const auto& axis : sweep.axes)
            count = std::min(count * axis.values.size(), saturated);
        total += count;
        if (total > max_sweep_cells) {
            errors.add(diagnostic_at(
                *grid, where + " makes " +
                           (count == saturated ? "more than " + std::to_string(saturated)
                                               : std::to_string(count)) +
                           " cells, more than " + std::to_string(max_sweep_cells) +
                           " policies in all; sweep fewer values"));
            continue;
        }
        sweep.cells = sweep_cells(name, sweep.axes);
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
