#include "chiprace/config/sensitivity_options.hpp"

#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <array>

namespace chiprace::config {

namespace {
constexpr std::array<std::string_view, 6> sensitivity_keys{
    "outputs", "years", "confidence_level", "bootstrap", "target_ci_width", "max_samples"};
// A block's sums are held per thread and merged; beyond this they cost more than the model.
constexpr double max_sum_bytes = 256.0 * 1024 * 1024;
} // namespace

void read_sensitivity_options(const toml::table& root, Experiment& ex, DiagnosticList& errors) {
    auto& s = ex.sensitivity;
    const toml::node* node = root.get("sensitivity");
    const toml::table* t = node ? node->as_table() : nullptr;
    if (node != nullptr && t == nullptr) {
        errors.add(diagnostic_at(*node, "'sensitivity' must be a table"));
        return;
    }
    s.enabled = ex.design == "saltelli" || ex.design == "morris";
    if (!s.enabled) {
        if (node != nullptr)
            errors.add(diagnostic_at(*node, "[sensitivity] needs experiment.design = \"saltelli\" "
                                            "(Sobol' indices) or \"morris\" (screening), not '" +
                                                ex.design + "'"));
        return;
    }
    if (ex.model == nullptr)
        return;
    const auto& outputs = ex.model->outputs();
    const auto years = ex.model->years();
    if (t != nullptr) {
        for (const auto& [key, value] : *t)
            if (std::find(sensitivity_keys.begin(), sensitivity_keys.end(), key.str()) ==
                sensitivity_keys.end())
                errors.add(diagnostic_at(
                    key, unknown_key_message(key.str(), "sensitivity", sensitivity_keys)));
        if (const toml::node* v = t->get("outputs")) {
            const toml::array* arr = v->as_array();
            if (arr == nullptr || arr->empty())
                errors.add(diagnostic_at(*v, "sensitivity.outputs must be a non-empty array of "
                                             "output names"));
            else
                for (const auto& el : *arr) {
                    const auto name = el.value<std::string>();
                    std::vector<std::string_view> names;
                    for (const auto& o : outputs)
                        names.push_back(o.name);
                    const auto it =
                        name ? std::find(names.begin(), names.end(), *name) : names.end();
                    if (it == names.end()) {
                        std::string msg = "sensitivity.outputs: '" + name.value_or("?") +
                                          "' is not an output of model " + ex.model_name;
                        if (name)
                            if (auto m = closest_match(*name, names))
                                msg += "; did you mean '" + *m + "'?";
                        errors.add(diagnostic_at(el, msg));
                        continue;
                    }
                    const auto k = static_cast<std::size_t>(it - names.begin());
                    if (std::find(s.outputs.begin(), s.outputs.end(), k) != s.outputs.end())
                        errors.add(diagnostic_at(el, "sensitivity.outputs: '" + *name +
                                                         "' is listed twice"));
                    else
                        s.outputs.push_back(k);
                }
        }
        if (const toml::node* v = t->get("years")) {
            const toml::array* arr = v->as_array();
            if (arr == nullptr || arr->empty() || years.empty())
                errors.add(diagnostic_at(
                    *v, years.empty()
                            ? "sensitivity.years: model " + ex.model_name + " has no time axis"
                            : "sensitivity.years must be a non-empty array of years"));
            else
                for (const auto& el : *arr) {
                    const auto y = el.value<std::int64_t>();
                    if (!el.is_integer() || !y ||
                        std::find(years.begin(), years.end(), *y) == years.end()) {
                        errors.add(diagnostic_at(
                            el,
                            "sensitivity.years: " +
                                (el.is_integer() ? std::to_string(*y) : std::string("a value")) +
                                " is not a year of the horizon " + std::to_string(years.front()) +
                                "-" + std::to_string(years.back())));
                        continue;
                    }
                    if (std::find(s.years.begin(), s.years.end(), *y) == s.years.end())
                        s.years.push_back(static_cast<int>(*y));
                }
            std::sort(s.years.begin(), s.years.end());
        }
        if (const toml::node* v = t->get("confidence_level")) {
            const auto x = toml_number(*v);
            if (!x || !(*x > 0.0 && *x < 1.0))
                errors.add(diagnostic_at(*v, "sensitivity.confidence_level must be a number "
                                             "between 0 and 1 (e.g. 0.95)"));
            else
                s.confidence_level = *x;
        }
        if (const toml::node* v = t->get("bootstrap")) {
            const auto b = v->is_integer() ? v->as_integer()->get() : -1;
            if (b < 0 || b > 10000)
                errors.add(diagnostic_at(*v, "sensitivity.bootstrap must be an integer from 0 "
                                             "to 10000 (replicates; 0: no bootstrap intervals)"));
            else
                s.bootstrap = static_cast<std::uint64_t>(b);
        }
        if (const toml::node* v = t->get("target_ci_width")) {
            const auto x = toml_number(*v);
            if (ex.design != "saltelli")
                errors.add(diagnostic_at(*v, "sensitivity.target_ci_width (adaptive stopping) "
                                             "applies to design \"saltelli\" (Sobol' indices)"));
            else if (!x || !(*x > 0.0 && *x <= 2.0))
                errors.add(diagnostic_at(*v, "sensitivity.target_ci_width must be a number in "
                                             "(0, 2]: the widest interval of any index"));
            else
                s.target_ci_width = *x;
        }
        if (const toml::node* v = t->get("max_samples")) {
            const auto m = v->is_integer() ? v->as_integer()->get() : -1;
            if (!t->get("target_ci_width"))
                errors.add(diagnostic_at(*v, "sensitivity.max_samples needs "
                                             "sensitivity.target_ci_width (adaptive stopping)"));
            else if (m < 1 || static_cast<std::uint64_t>(m) < ex.samples)
                errors.add(diagnostic_at(
                    *v, "sensitivity.max_samples must be an integer >= experiment.samples (" +
                            std::to_string(ex.samples) + "): base points to stop at"));
            else
                s.max_samples = static_cast<std::uint64_t>(m);
        }
        if (s.target_ci_width && ex.output.store == StoreMode::raw)
            errors.add(diagnostic_at(*t->get("target_ci_width"),
                                     "adaptive stopping (sensitivity.target_ci_width) writes "
                                     "summaries only: set [output] store = \"summary\""));
    }
    if (s.target_ci_width && s.max_samples == 0)
        s.max_samples = 16 * ex.samples;
    if (s.outputs.empty())
        for (std::size_t k = 0; k < outputs.size(); ++k)
            s.outputs.push_back(k);
    if (s.years.empty())
        s.years.assign(years.begin(), years.end());

    const std::uint64_t d = ex.parameters.dimension();
    s.group_runs =
        ex.design == "morris" ? d + 1 : (ex.design_options.second_order ? 2 * d + 2 : d + 2);
    // Every block must hold whole base points (trajectories) for the sums to stream.
    const std::uint64_t rounded = (ex.block_size + s.group_runs - 1) / s.group_runs * s.group_runs;
    if (rounded != ex.block_size) {
        ex.warnings.push_back("experiment.block_size rounded up from " +
                              std::to_string(ex.block_size) + " to " + std::to_string(rounded) +
                              ", a multiple of the " + std::to_string(s.group_runs) + " runs per " +
                              (ex.design == "morris" ? "trajectory" : "base point") +
                              ", so that every block holds whole ones");
        ex.block_size = rounded;
    }
    std::size_t columns = 0;
    for (const auto k : s.outputs)
        columns += outputs[k].per_year ? s.years.size() : 1;
    const std::size_t groups =
        ex.model->variant_count() * (1 + ex.references.size()) - ex.references.size();
    const double per_column =
        ex.design == "morris"
            ? 3.0 * static_cast<double>(d) +
                  static_cast<double>(s.bootstrap) * static_cast<double>(d + 1)
            : 5.0 + 8.0 * static_cast<double>(d) +
                  static_cast<double>(s.bootstrap) * (3.0 + 2.0 * static_cast<double>(d));
    const double bytes = 8.0 * per_column * static_cast<double>(columns * groups);
    if (bytes > max_sum_bytes) {
        const std::string msg =
            "sensitivity analysis of " + std::to_string(columns) + " output columns x " +
            std::to_string(groups) + " policies and contrasts with " + std::to_string(s.bootstrap) +
            " bootstrap replicates would hold " + std::to_string(static_cast<long>(bytes / 1e6)) +
            " MB per block; choose fewer [sensitivity] outputs or years, or fewer replicates";
        if (node != nullptr)
            errors.add(diagnostic_at(*node, msg));
        else
            errors.add(ex.source_path, 0, 0, msg);
    }
}

nlohmann::json sensitivity_json(const Experiment& ex) {
    const auto& s = ex.sensitivity;
    if (!s.enabled || ex.model == nullptr)
        return nullptr;
    nlohmann::json j;
    j["method"] = ex.design == "morris" ? "morris" : "sobol";
    j["outputs"] = nlohmann::json::array();
    for (const auto k : s.outputs)
        j["outputs"].push_back(ex.model->outputs()[k].name);
    j["years"] = s.years;
    j["confidence_level"] = s.confidence_level;
    j["bootstrap"] = s.bootstrap;
    j["runs_per_group"] = s.group_runs;
    if (s.target_ci_width) {
        j["target_ci_width"] = *s.target_ci_width;
        j["max_samples"] = s.max_samples;
    }
    return j;
}

} // namespace chiprace::config
