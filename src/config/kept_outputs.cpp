#include "chiprace/config/kept_outputs.hpp"

#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>

namespace chiprace::config {

void read_kept_outputs(const toml::table& root, Experiment& ex, DiagnosticList& errors) {
    const toml::node* out_node = root.get("output");
    const toml::node* node =
        out_node && out_node->is_table() ? out_node->as_table()->get("keep") : nullptr;
    if (node == nullptr)
        return;
    if (ex.output.store != StoreMode::raw)
        errors.add(diagnostic_at(*node, "output.keep chooses the per-sample outputs of "
                                        "store = \"raw\"; with store = \"summary\" no rows are "
                                        "stored (remove keep, or store raw rows)"));
    const toml::array* list = node->as_array();
    if (list == nullptr || list->empty()) {
        errors.add(diagnostic_at(*node, "output.keep must be a non-empty array of output names "
                                        "such as [\"frontier_gap_years\"]"));
        return;
    }
    if (ex.model == nullptr)
        return; // the names cannot be checked; the model's problem is reported
    const auto& outputs = ex.model->outputs();
    std::vector<std::string_view> names;
    for (const auto& o : outputs)
        names.push_back(o.name);
    std::vector<std::size_t> keep;
    for (const auto& el : *list) {
        if (!el.is_string()) {
            errors.add(diagnostic_at(el, "output.keep: each entry must be an output name"));
            continue;
        }
        const std::string name = el.as_string()->get();
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            std::string msg =
                "output.keep: model '" + ex.model_name + "' has no output '" + name + "'";
            if (const auto guess = closest_match(name, names))
                msg += "; did you mean '" + *guess + "'?";
            errors.add(diagnostic_at(el, msg));
            continue;
        }
        const auto k = static_cast<std::size_t>(it - names.begin());
        if (std::find(keep.begin(), keep.end(), k) != keep.end()) {
            errors.add(diagnostic_at(el, "output.keep lists '" + name + "' twice"));
            continue;
        }
        keep.push_back(k);
    }
    std::sort(keep.begin(), keep.end()); // stored in the model's order, whatever the list's
    ex.output.keep = std::move(keep);
}

} // namespace chiprace::config
