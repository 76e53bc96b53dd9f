#include "chiprace/config/design_options.hpp"

#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace chiprace::config {

namespace {
constexpr std::array<std::string_view, 5> design_keys{"base", "second_order", "levels", "scramble",
                                                      "grid"};
constexpr std::uint64_t max_sobol_runs = (std::uint64_t{1} << 32) - 1;
} // namespace

void read_design_options(const toml::table& root, Experiment& ex, DiagnosticList& errors) {
    auto& opt = ex.design_options;
    const toml::node* node = root.get("design");
    const toml::table* t = node ? node->as_table() : nullptr;
    if (node != nullptr && t == nullptr) {
        errors.add(diagnostic_at(*node, "'design' must be a table of design options"));
        return;
    }
    // An option only some designs read: reject it elsewhere rather than silently ignore it.
    auto only_for = [&](const toml::node& n, std::string_view key,
                        std::initializer_list<std::string_view> designs) {
        if (std::find(designs.begin(), designs.end(), ex.design) != designs.end())
            return true;
        std::string list;
        for (const auto d : designs)
            list += (list.empty() ? "" : " or ") + std::string(d);
        errors.add(diagnostic_at(n, "design." + std::string(key) + " applies to design " + list +
                                        ", not '" + ex.design + "'"));
        return false;
    };
    if (t != nullptr) {
        for (const auto& [key, value] : *t)
            if (std::find(design_keys.begin(), design_keys.end(), key.str()) == design_keys.end())
                errors.add(
                    diagnostic_at(key, unknown_key_message(key.str(), "design", design_keys)));
        if (const toml::node* v = t->get("base"); v && only_for(*v, "base", {"saltelli"})) {
            const auto s = v->value_or(std::string{});
            if (s != "sobol" && s != "mc")
                errors.add(diagnostic_at(*v, "design.base must be \"sobol\" or \"mc\""));
            else
                opt.base = s;
        }
        if (const toml::node* v = t->get("second_order");
            v && only_for(*v, "second_order", {"saltelli"})) {
            if (!v->is_boolean())
                errors.add(diagnostic_at(*v, "design.second_order must be true or false"));
            else
                opt.second_order = v->as_boolean()->get();
        }
        if (const toml::node* v = t->get("scramble");
            v && only_for(*v, "scramble", {"sobol", "saltelli"})) {
            if (!v->is_boolean())
                errors.add(diagnostic_at(*v, "design.scramble must be true or false"));
            else
                opt.scramble = v->as_boolean()->get();
        }
        if (const toml::node* v = t->get("levels"); v && only_for(*v, "levels", {"morris"})) {
            const auto p = v->is_integer() ? v->as_integer()->get() : -1;
            if (p < 2 || p % 2 != 0 || p > 1000)
                errors.add(diagnostic_at(
                    *v, "design.levels must be an even integer >= 2 (got " +
                            (v->is_integer() ? std::to_string(p) : "not an integer") + ")"));
            else
                opt.levels = static_cast<unsigned>(p);
        }
        if (const toml::node* v = t->get("grid"); v && only_for(*v, "grid", {"grid"})) {
            const toml::table* g = v->as_table();
            if (g == nullptr || g->empty()) {
                errors.add(diagnostic_at(*v, "design.grid must be a table: parameter = [values]"));
            } else {
                // Axes in the order written: the first varies slowest.
                std::vector<std::pair<const toml::key*, const toml::node*>> axes;
                for (const auto& [key, value] : *g)
                    axes.emplace_back(&key, &value);
                std::sort(axes.begin(), axes.end(), [](const auto& a, const auto& b) {
                    const auto& pa = a.first->source().begin;
                    const auto& pb = b.first->source().begin;
                    return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
                });
                for (const auto& [key, value] : axes) {
                    const std::string name(key->str());
                    if (ex.parameters.index_of(name) == ex.parameters.dimension()) {
                        errors.add(
                            diagnostic_at(*key, "design.grid: '" + name +
                                                    "' is not a parameter of this experiment"));
                        continue;
                    }
                    const toml::array* arr = value->as_array();
                    std::vector<double> values;
                    bool ok = arr != nullptr && !arr->empty();
                    if (ok)
                        for (const auto& el : *arr) {
                            const auto x = el.value<double>();
                            if (!x || !(el.is_integer() || el.is_floating_point()) ||
                                !std::isfinite(*x)) {
                                ok = false;
                                break;
                            }
                            values.push_back(*x);
                        }
                    if (!ok) {
                        errors.add(diagnostic_at(
                            *value, "design.grid." + name +
                                        " must be a non-empty array of finite numbers"));
                        continue;
                    }
                    opt.grid.emplace_back(name, std::move(values));
                }
            }
        }
    }
    if (ex.design == "grid" && opt.grid.empty() && errors.empty())
        errors.add(ex.source_path, 0, 0,
                   "design \"grid\" needs [design.grid] with parameter = [values]");
    if (ex.design == "grid" && !opt.grid.empty() && ex.samples > 0) {
        std::uint64_t cells = 1;
        bool too_many = false;
        for (const auto& [name, values] : opt.grid) {
            // Found by fuzzing: the product can overflow to 0 (then a division by zero).
            if (values.size() > ex.samples / cells) {
                too_many = true;
                break;
            }
            cells *= values.size();
        }
        if (too_many)
            errors.add(ex.source_path, 0, 0,
                       "design \"grid\": the grid has more cells than experiment.samples (" +
                           std::to_string(ex.samples) + ")");
        else if (ex.samples % cells != 0)
            errors.add(ex.source_path, 0, 0,
                       "design \"grid\": experiment.samples (" + std::to_string(ex.samples) +
                           ") must be a multiple of the number of grid cells (" +
                           std::to_string(cells) + ")");
    }
    const bool sobol_points =
        ex.design == "sobol" || (ex.design == "saltelli" && opt.base == "sobol");
    if (sobol_points && ex.samples > max_sobol_runs)
        errors.add(ex.source_path, 0, 0, "Sobol' points: at most 2^32 - 1 samples");
    if (sobol_points && ex.samples > 0 && !std::has_single_bit(ex.samples))
        ex.warnings.push_back("experiment.samples = " + std::to_string(ex.samples) +
                              " is not a power of two: Sobol' points balance best, and their "
                              "error falls fastest, at N = 2^m (e.g. " +
                              std::to_string(std::bit_floor(ex.samples)) + " or " +
                              std::to_string(std::bit_ceil(ex.samples)) + ")");
}

nlohmann::json design_options_json(const Experiment& ex) {
    const auto& o = ex.design_options;
    nlohmann::json j = nlohmann::json::object();
    if (ex.design == "sobol")
        j["scramble"] = o.scramble;
    if (ex.design == "saltelli") {
        j["base"] = o.base;
        j["second_order"] = o.second_order;
        j["scramble"] = o.scramble;
    }
    if (ex.design == "morris")
        j["levels"] = o.levels;
    if (ex.design == "grid")
        for (const auto& [name, values] : o.grid)
            j["grid"][name] = values;
    return j;
}

} // namespace chiprace::config
