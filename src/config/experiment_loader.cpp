#include "chiprace/config/experiment_loader.hpp"

#include "chiprace/config/calibration_options.hpp"
#include "chiprace/config/correlations.hpp"
#include "chiprace/config/design_options.hpp"
#include "chiprace/config/event_options.hpp"
#include "chiprace/config/kept_outputs.hpp"
#include "chiprace/config/model_factory.hpp"
#include "chiprace/config/model_plugin.hpp"
#include "chiprace/config/overrides.hpp"
#include "chiprace/config/robustness_options.hpp"
#include "chiprace/config/sensitivity_options.hpp"
#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace chiprace::config {

namespace fs = std::filesystem;

namespace {

/// Blocks are a unit of work and of memory per thread; beyond this they only waste memory.
constexpr std::uint64_t max_block_size = std::uint64_t{1} << 20;

/// Names that become file names or HDF5 dataset names: no separators, no surprises.
bool valid_name(std::string_view name) {
    if (name.empty() || name.front() == '.')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
}

struct Document {
    std::string path;
    std::string text;
    toml::table table;
};

constexpr std::array<std::string_view, 11> top_level_keys{
    "experiment",   "model",  "parameters",  "policies",   "policy_sweeps", "design",
    "correlations", "output", "sensitivity", "robustness", "calibration"};
constexpr std::array<std::string_view, 11> experiment_keys{
    "name",       "model",       "samples",  "seed",      "design", "include",
    "block_size", "description", "policies", "reference", "plugins"};
constexpr std::array<std::string_view, 8> output_keys{
    "store",  "quantiles", "quantile_relative_error", "compression", "precision", "on_nonfinite",
    "events", "keep"};
constexpr std::array<std::string_view, 6> designs_available{"mc",       "lhs",    "sobol",
                                                            "saltelli", "morris", "grid"};

std::string read_text(const std::string& path, DiagnosticList& errors) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        errors.add(path, 0, 0, "is a directory, not an experiment file");
        return {};
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        errors.add(path, 0, 0, std::string("cannot open experiment file: ") + std::strerror(errno));
        return {};
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// toml++ describes a string left open as the character that ended it ("unescaped control
/// characters ... prohibited", at the newline): true but no help to someone missing a quote.
std::string syntax_message(const std::string& text, const toml::source_position& at,
                           std::string_view description) {
    std::size_t offset = 0;
    for (toml::source_index line = 1; line < at.line && offset != std::string::npos; ++line) {
        offset = text.find('\n', offset);
        if (offset != std::string::npos)
            ++offset;
    }
    const bool in_string = description.find("parsing string") != std::string_view::npos;
    if (in_string && offset != std::string::npos) {
        offset += at.column - 1;
        const bool at_line_end =
            offset >= text.size() || text[offset] == '\n' || text[offset] == '\r';
        if (at_line_end)
            return "unterminated string: the closing quote is missing on this line (a "
                   "\"...\" or '...' string ends on the line it starts; use \"\"\"...\"\"\" "
                   "for text over several lines)";
    }
    return std::string(description);
}

/// Loads path and, depth first, everything it includes; included documents come before the
/// document that includes them, so later documents override earlier ones.
void load_documents(const std::string& path, std::vector<std::string>& chain,
                    std::vector<Document>& out, DiagnosticList& errors) {
    std::string text = read_text(path, errors);
    if (!errors.empty())
        return;
    toml::table table;
    try {
        table = toml::parse(text, std::string_view(path));
    } catch (const toml::parse_error& e) {
        const auto& where = e.source();
        errors.add(path, where.begin.line, where.begin.column,
                   "TOML syntax error: " + syntax_message(text, where.begin, e.description()));
        return;
    }
    std::error_code canonical_error;
    chain.push_back(fs::weakly_canonical(path, canonical_error).string());
    if (const toml::node* exp = table.get("experiment"); exp && exp->is_table()) {
        if (const toml::node* inc = exp->as_table()->get("include")) {
            const toml::array* arr = inc->as_array();
            if (arr == nullptr) {
                errors.add(diagnostic_at(*inc, "include must be an array of file names"));
            } else {
                for (const auto& el : *arr) {
                    const auto* name = el.as_string();
                    if (name == nullptr) {
                        errors.add(diagnostic_at(el, "include entries must be strings"));
                        continue;
                    }
                    fs::path target = name->get();
                    if (target.is_relative())
                        target = fs::path(path).parent_path() / target;
                    std::error_code ec;
                    const std::string canonical = fs::weakly_canonical(target, ec).string();
                    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
                        errors.add(diagnostic_at(el, "include '" + name->get() +
                                                         "' includes itself (directly or through "
                                                         "other files)"));
                        continue;
                    }
                    if (!fs::exists(target, ec)) {
                        errors.add(diagnostic_at(el, "included file '" + target.string() +
                                                         "' does not exist"));
                        continue;
                    }
                    load_documents(target.string(), chain, out, errors);
                }
            }
        }
    }
    chain.pop_back();
    out.push_back({path, std::move(text), std::move(table)});
}

/// Later values replace earlier ones; tables merge key by key, except that one parameter or
/// one policy is a single value: a redefinition replaces it whole (a `fixed` parameter must
/// not inherit the `low` and `high` of the uniform it overrides), and so does an inline table.
/// Nodes are moved, not copied: toml++ keeps a node's source position only when it moves, and
/// every later diagnostic needs it.
void merge_into(toml::table& base, toml::table&& top, bool entries_are_values = false) {
    for (auto&& [key, node] : top) {
        toml::node* existing = base.get(key);
        if (!entries_are_values && existing != nullptr && existing->is_table() && node.is_table() &&
            !node.as_table()->is_inline()) {
            const bool whole_entries = key.str() == "parameters" || key.str() == "policies";
            merge_into(*existing->as_table(), std::move(*node.as_table()), whole_entries);
        } else {
            // Erase first: insert_or_assign would keep the replaced key, and with it the old
            // file's position, so errors about the new value would point at the old one.
            base.erase(key.str());
            base.insert(key, std::move(node));
        }
    }
}

/// Parameter names in the order a reader sees them: documents in merge order, each by
/// position in its file; names first given with --set come last.
std::vector<std::string> declared_order(const std::vector<Document>& docs,
                                        std::string_view table_name) {
    std::vector<std::string> order;
    auto add = [&](const std::string& name) {
        if (std::find(order.begin(), order.end(), name) == order.end())
            order.push_back(name);
    };
    for (const auto& doc : docs) {
        const toml::table* params = doc.table[table_name].as_table();
        if (params == nullptr)
            continue;
        std::vector<const toml::key*> keys;
        for (const auto& [key, node] : *params)
            keys.push_back(&key);
        std::sort(keys.begin(), keys.end(), [](const toml::key* a, const toml::key* b) {
            const auto& pa = a->source().begin;
            const auto& pb = b->source().begin;
            return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
        });
        for (const auto* k : keys)
            add(std::string(k->str()));
    }
    return order;
}

/// Where a table's own problems are reported (its header), and which of its required keys
/// are already explained by a misspelling we suggested a fix for: one mistake, one message.
struct TableSite {
    Diagnostic header;
    std::set<std::string> suggested;
    [[nodiscard]] Diagnostic at(std::string message) const {
        Diagnostic d = header;
        d.message = std::move(message);
        return d;
    }
};

TableSite site_of(const toml::table& root, std::string_view table_name, const std::string& file) {
    for (const auto& [key, node] : root)
        if (key.str() == table_name && key.source().path)
            return {diagnostic_at(key, ""), {}};
    return {{file, 0, 0, ""}, {}};
}

template <std::size_t N>
void reject_unknown(const toml::table& table, const std::array<std::string_view, N>& known,
                    std::string_view table_name, DiagnosticList& errors,
                    TableSite* site = nullptr) {
    for (const auto& [key, node] : table) {
        if (std::find(known.begin(), known.end(), key.str()) != known.end())
            continue;
        errors.add(diagnostic_at(key, unknown_key_message(key.str(), table_name, known)));
        if (site != nullptr)
            if (const auto guess = closest_match(key.str(), known))
                site->suggested.insert(*guess);
    }
}

const toml::table* require_table(const toml::table& root, std::string_view key,
                                 DiagnosticList& errors, const std::string& file) {
    const toml::node* node = root.get(key);
    if (node == nullptr) {
        errors.add(file, 0, 0, "missing table [" + std::string(key) + "]");
        return nullptr;
    }
    if (!node->is_table()) {
        errors.add(diagnostic_at(*node, "'" + std::string(key) + "' must be a table"));
        return nullptr;
    }
    return node->as_table();
}

void report_missing(std::string_view key, std::string_view table_name, DiagnosticList& errors,
                    const TableSite& where) {
    if (where.suggested.count(std::string(key)) == 0)
        errors.add(where.at("missing required key '" + std::string(key) + "' in [" +
                            std::string(table_name) + "]"));
}

std::optional<std::string> string_value(const toml::table& t, std::string_view key,
                                        std::string_view table_name, bool required,
                                        DiagnosticList& errors, const TableSite& where) {
    const toml::node* node = t.get(key);
    if (node == nullptr) {
        if (required)
            report_missing(key, table_name, errors, where);
        return std::nullopt;
    }
    if (!node->is_string()) {
        errors.add(diagnostic_at(*node, std::string(table_name) + "." + std::string(key) +
                                            " must be a string"));
        return std::nullopt;
    }
    return node->as_string()->get();
}

/// A non-negative integer (samples, seed, block_size); min is the smallest value accepted.
std::optional<std::uint64_t> count_value(const toml::table& t, std::string_view key,
                                         std::string_view table_name, bool required,
                                         std::int64_t min, DiagnosticList& errors,
                                         const TableSite& where) {
    const toml::node* node = t.get(key);
    const std::string qualified = std::string(table_name) + "." + std::string(key);
    if (node == nullptr) {
        if (required)
            report_missing(key, table_name, errors, where);
        return std::nullopt;
    }
    if (!node->is_integer()) {
        errors.add(diagnostic_at(*node, qualified + " must be an integer"));
        return std::nullopt;
    }
    const auto v = node->as_integer()->get();
    if (v < min) {
        errors.add(diagnostic_at(
            *node, qualified + " must be " +
                       (min == 1 ? std::string("positive") : ">= " + std::to_string(min)) +
                       " (got " + std::to_string(v) + ")"));
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(v);
}

struct DistributionForm {
    std::string_view name;
    std::vector<std::string_view> keys;
};

const std::vector<DistributionForm>& distribution_forms() {
    // A distribution that can be given in two ways (lognormal, beta) has one entry per form.
    static const std::vector<DistributionForm> forms{
        {"uniform", {"low", "high"}},
        {"loguniform", {"low", "high"}},
        {"normal", {"mean", "sd"}},
        {"truncnormal", {"mean", "sd", "low", "high"}},
        {"lognormal", {"p05", "p95"}},
        {"lognormal", {"mu", "sigma"}},
        {"beta", {"alpha", "beta"}},
        {"beta", {"p05", "p95"}},
        {"pert", {"low", "mode", "high"}},
        {"triangular", {"low", "mode", "high"}},
        {"gamma", {"shape", "scale"}},
        {"discrete", {"values", "weights"}}, // arrays of numbers
        {"fixed", {"value"}},
    };
    return forms;
}

std::optional<random::Parameter> parse_parameter(const toml::key& key, const toml::node& node,
                                                 DiagnosticList& errors) {
    const std::string name(key.str());
    if (!valid_name(name)) {
        errors.add(diagnostic_at(key, "parameter name '" + name +
                                          "' becomes an HDF5 dataset name: use letters, digits, "
                                          "'-', '_' and '.' only"));
        return std::nullopt;
    }
    const toml::table* t = node.as_table();
    if (t == nullptr) {
        errors.add(diagnostic_at_entry(key, node,
                                       "parameter '" + name +
                                           "' must be a table such as { dist = \"uniform\", "
                                           "low = 0, high = 1 }"));
        return std::nullopt;
    }
    const toml::node* dist_node = t->get("dist");
    if (dist_node == nullptr || !dist_node->is_string()) {
        const std::string msg = "parameter '" + name + "' needs dist = \"<distribution>\"";
        errors.add(dist_node ? diagnostic_at(*dist_node, msg)
                             : diagnostic_at_entry(key, node, msg));
        return std::nullopt;
    }
    const std::string dist = dist_node->as_string()->get();
    std::vector<const DistributionForm*> candidates;
    std::vector<std::string_view> names;
    for (const auto& f : distribution_forms()) {
        if (f.name == dist)
            candidates.push_back(&f);
        if (std::find(names.begin(), names.end(), f.name) == names.end())
            names.push_back(f.name);
    }
    if (candidates.empty()) {
        std::string msg = "parameter '" + name + "': unknown distribution '" + dist + "'";
        if (const auto guess = closest_match(dist, names)) {
            msg += "; did you mean '" + *guess + "'?";
        } else {
            msg += "; available: ";
            for (std::size_t i = 0; i < names.size(); ++i)
                msg += (i ? ", " : "") + std::string(names[i]);
        }
        errors.add(diagnostic_at(*dist_node, msg));
        return std::nullopt;
    }
    std::vector<std::string_view> allowed;
    for (const auto* f : candidates)
        for (const auto k : f->keys)
            if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
                allowed.push_back(k);
    allowed.insert(allowed.end(), {"dist", "units", "description"});
    bool ok = true;
    for (const auto& [k, v] : *t) {
        if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end()) {
            errors.add(
                diagnostic_at(k, unknown_key_message(k.str(), "parameters." + name, allowed)));
            ok = false;
        }
    }
    // With two forms (lognormal, beta), the keys present choose one; a mix is an error.
    const DistributionForm* form = candidates.front();
    if (candidates.size() > 1) {
        std::vector<const DistributionForm*> used;
        std::string given;
        for (const auto* f : candidates) {
            bool any = false;
            for (const auto k : f->keys) {
                if (t->get(k) != nullptr) {
                    any = true;
                    given += (given.empty() ? "" : ", ") + std::string(k);
                }
            }
            if (any)
                used.push_back(f);
        }
        std::string choices;
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            const auto& keys = candidates[i]->keys;
            choices += i == 0 ? "" : ", or ";
            for (std::size_t j = 0; j < keys.size(); ++j) {
                if (j > 0)
                    choices += j + 1 == keys.size() ? " and " : ", ";
                choices += keys[j];
            }
        }
        if (used.size() == 1) {
            form = used.front();
        } else {
            errors.add(diagnostic_at_entry(
                key, node,
                "parameter '" + name + "' (" + dist + ") takes either " + choices +
                    (used.empty() ? "" : ", not a mix (got " + given + ")")));
            return std::nullopt;
        }
    }
    // discrete takes arrays of numbers; every other distribution takes numbers.
    const bool arrays = dist == "discrete";
    std::vector<double> values;
    std::vector<std::vector<double>> lists;
    for (const auto k : form->keys) {
        const toml::node* v = t->get(k);
        if (v == nullptr) {
            errors.add(diagnostic_at_entry(key, node,
                                           "parameter '" + name + "' (" + dist + ") is missing '" +
                                               std::string(k) + "'"));
            ok = false;
            continue;
        }
        if (arrays) {
            const toml::array* a = v->as_array();
            if (a == nullptr) {
                errors.add(diagnostic_at(*v, "parameter '" + name + "': " + std::string(k) +
                                                 " must be an array of numbers"));
                ok = false;
                continue;
            }
            std::vector<double> list;
            for (std::size_t i = 0; i < a->size(); ++i) {
                const auto x = toml_number(*a->get(i));
                if (!x) {
                    errors.add(diagnostic_at(*a->get(i),
                                             "parameter '" + name + "': " + std::string(k) + "[" +
                                                 std::to_string(i) + "] must be a number"));
                    ok = false;
                    continue;
                }
                list.push_back(*x);
            }
            lists.push_back(std::move(list));
            continue;
        }
        const auto x = toml_number(*v);
        if (!x) {
            errors.add(diagnostic_at(*v, "parameter '" + name + "': " + std::string(k) +
                                             " must be a number"));
            ok = false;
            continue;
        }
        values.push_back(*x);
    }
    std::string units, description;
    for (auto [field, target] :
         {std::pair{"units", &units}, std::pair{"description", &description}}) {
        if (const toml::node* v = t->get(field)) {
            if (!v->is_string()) {
                errors.add(
                    diagnostic_at(*v, "parameter '" + name + "': " + field + " must be a string"));
                ok = false;
            } else {
                *target = v->as_string()->get();
            }
        }
    }
    if (!ok)
        return std::nullopt;
    const std::string_view first_key = form->keys.front();
    auto make = [&]() -> random::Distribution::Variant {
        if (dist == "uniform")
            return random::Uniform{values[0], values[1]};
        if (dist == "loguniform")
            return random::LogUniform{values[0], values[1]};
        if (dist == "normal")
            return random::Normal{values[0], values[1]};
        if (dist == "truncnormal")
            return random::TruncNormal{values[0], values[1], values[2], values[3]};
        if (dist == "lognormal" && first_key == "p05")
            return random::LogNormal{values[0], values[1]};
        if (dist == "lognormal")
            return random::LogNormalMuSigma{values[0], values[1]};
        if (dist == "beta" && first_key == "alpha")
            return random::Beta{values[0], values[1]};
        if (dist == "beta")
            return random::BetaPercentiles{values[0], values[1]};
        if (dist == "pert")
            return random::Pert{values[0], values[1], values[2]};
        if (dist == "triangular")
            return random::Triangular{values[0], values[1], values[2]};
        if (dist == "gamma")
            return random::Gamma{values[0], values[1]};
        if (dist == "discrete")
            return random::Discrete{lists[0], lists[1]};
        return random::Fixed{values[0]};
    };
    random::Distribution d(make());
    if (const auto why = d.invalid_reason()) {
        errors.add(
            diagnostic_at_entry(key, node, "parameter '" + name + "' (" + dist + "): " + *why));
        return std::nullopt;
    }
    return random::Parameter{name, d, units, description};
}

/// 2^53 runs: far beyond any machine (a day at 1e6 runs/s on 1e5 cores is 2^53), yet every run
/// index stays exact as a double for readers of /sample, and no run-index arithmetic
/// (samples x runs per base point, block offsets) can overflow. Past it, a typo such as an extra
/// zero digit would otherwise start an endless run or die allocating its schedule.
constexpr std::uint64_t max_runs = std::uint64_t{1} << 53;

void check_run_count(const toml::table& exp, const toml::table& root, const Experiment& ex,
                     DiagnosticList& errors) {
    const std::uint64_t per_sample = std::max<std::uint64_t>(1, ex.sensitivity.group_runs);
    auto check = [&](std::uint64_t samples, const toml::node* node, std::string_view key) {
        if (node == nullptr || samples <= max_runs / per_sample)
            return;
        std::string msg = std::string(key) + " = " + std::to_string(samples) + " is too large";
        if (per_sample > 1)
            msg += " (its base points make " + std::to_string(per_sample) + " runs each)";
        msg += ": chiprace supports at most 2^53 = " + std::to_string(max_runs) +
               " model runs; is there an extra digit?";
        errors.add(diagnostic_at(*node, msg));
    };
    check(ex.samples, exp.get("samples"), "experiment.samples");
    if (const toml::table* s = root["sensitivity"].as_table())
        check(ex.sensitivity.max_samples, s->get("max_samples"), "sensitivity.max_samples");
}

nlohmann::json to_json(const toml::node& node) {
    if (const auto* t = node.as_table()) {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& [k, v] : *t)
            j[std::string(k.str())] = to_json(v);
        return j;
    }
    if (const auto* a = node.as_array()) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& v : *a)
            j.push_back(to_json(v));
        return j;
    }
    if (node.is_string())
        return node.as_string()->get();
    if (node.is_integer())
        return node.as_integer()->get();
    if (node.is_floating_point()) {
        const double x = node.as_floating_point()->get();
        if (std::isinf(x))
            return x > 0 ? "inf" : "-inf"; // JSON has no infinity
        if (std::isnan(x))
            return "nan";
        return x;
    }
    if (node.is_boolean())
        return node.as_boolean()->get();
    // Dates and times: kept as their TOML text.
    std::ostringstream s;
    if (const auto* d = node.as_date())
        s << *d;
    else if (const auto* t = node.as_time())
        s << *t;
    else if (const auto* dt = node.as_date_time())
        s << *dt;
    return s.str();
}

} // namespace

namespace {

/// [experiment] plugins (each relative to the file that names it, as include) and --plugin
/// (relative to the working directory): loaded, so that their models can be named; recorded.
void load_plugins(const toml::table* exp, const std::vector<std::string>& cli_plugins,
                  Experiment& ex, DiagnosticList& errors) {
    auto load = [&](const std::string& written, const fs::path& file, const toml::node* where) {
        try {
            const auto& p = load_model_plugin(file.string());
            for (const auto& earlier : ex.plugins)
                if (earlier["path"] == p.path)
                    return; // named twice (in the file and with --plugin): loaded once
            ex.plugins.push_back({{"file", written},
                                  {"path", p.path},
                                  {"sha256", p.sha256},
                                  {"version", p.version},
                                  {"models", p.models}});
        } catch (const PluginError& e) {
            if (where != nullptr)
                errors.add(diagnostic_at(*where, e.what()));
            else
                errors.add("--plugin " + written, 0, 0, e.what());
        }
    };
    if (const toml::node* node = exp ? exp->get("plugins") : nullptr) {
        const toml::array* arr = node->as_array();
        if (arr == nullptr)
            errors.add(diagnostic_at(*node, "experiment.plugins must be an array of plug-in "
                                            "files, such as [\"build/libmy_model.so\"]"));
        else
            for (const auto& el : *arr) {
                const auto* name = el.as_string();
                if (name == nullptr || name->get().empty()) {
                    errors.add(diagnostic_at(el, "experiment.plugins entries must be file names"));
                    continue;
                }
                fs::path file = name->get();
                const auto& origin = el.source().path;
                if (file.is_relative() && origin && origin->rfind("--set", 0) != 0)
                    file = fs::path(*origin).parent_path() / file;
                load(name->get(), file, &el);
            }
    }
    for (const auto& p : cli_plugins)
        load(p, p, nullptr);
}

} // namespace

Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                           const std::vector<std::string>& plugins) {
    DiagnosticList errors;
    std::vector<Document> docs;
    std::vector<std::string> chain;
    load_documents(path, chain, docs, errors);
    errors.throw_if_any();

    toml::table root;
    // Parameter order comes from the documents as written, before merging consumes them.
    const auto parameter_order = declared_order(docs, "parameters");
    const auto policy_order = declared_order(docs, "policies");
    for (auto& doc : docs)
        merge_into(root, std::move(doc.table));
    for (const auto& o : overrides)
        apply_override(root, o, errors);
    errors.throw_if_any();

    Experiment ex;
    ex.source_path = path;
    ex.source_text = docs.back().text;
    for (std::size_t i = 0; i + 1 < docs.size(); ++i) {
        ex.included_paths.push_back(docs[i].path);
        ex.included_texts.push_back(docs[i].text);
    }
    ex.overrides = overrides;

    reject_unknown(root, top_level_keys, "top level", errors);

    // [experiment]
    const toml::table* exp = require_table(root, "experiment", errors, path);
    const toml::node* model_name_node = nullptr;
    if (exp != nullptr) {
        TableSite site = site_of(root, "experiment", path);
        reject_unknown(*exp, experiment_keys, "experiment", errors, &site);
        if (auto v = string_value(*exp, "name", "experiment", true, errors, site))
            ex.name = *v;
        if (exp->get("name") != nullptr && exp->get("name")->is_string() && !valid_name(ex.name))
            errors.add(diagnostic_at(*exp->get("name"),
                                     "experiment.name names the result file: use letters, digits, "
                                     "'-', '_' and '.' only (got '" +
                                         ex.name + "')"));
        if (auto v = string_value(*exp, "description", "experiment", false, errors, site))
            ex.description = *v;
        if (string_value(*exp, "model", "experiment", true, errors, site))
            model_name_node = exp->get("model");
        if (auto v = count_value(*exp, "samples", "experiment", true, 1, errors, site))
            ex.samples = *v;
        if (auto v = count_value(*exp, "seed", "experiment", false, 0, errors, site))
            ex.seed = *v;
        if (auto v = count_value(*exp, "block_size", "experiment", false, 1, errors, site)) {
            ex.block_size = *v;
            if (*v > max_block_size)
                errors.add(diagnostic_at(*exp->get("block_size"),
                                         "experiment.block_size must be at most " +
                                             std::to_string(max_block_size) + " (got " +
                                             std::to_string(*v) + ")"));
        }
        if (auto v = string_value(*exp, "design", "experiment", false, errors, site)) {
            ex.design = *v;
            const bool available = std::find(designs_available.begin(), designs_available.end(),
                                             *v) != designs_available.end();
            if (!available) {
                std::string msg = "unknown design '" + *v + "'";
                if (const auto guess = closest_match(*v, designs_available))
                    msg += "; did you mean '" + *guess + "'?";
                else
                    msg += "; available: mc, lhs, sobol, saltelli, morris, grid";
                errors.add(diagnostic_at(*exp->get("design"), msg));
            }
        }
    }

    // [parameters]
    std::vector<random::Parameter> params;
    const std::size_t errors_before_parameters = errors.size();
    const toml::table* param_table = require_table(root, "parameters", errors, path);
    if (param_table != nullptr) {
        if (param_table->empty())
            errors.add(diagnostic_at(*param_table, "[parameters] lists no parameter"));
        auto order = parameter_order;
        for (const auto& [key, node] : *param_table) // first given with --set: last
            if (std::find(order.begin(), order.end(), key.str()) == order.end())
                order.emplace_back(key.str());
        for (const auto& name : order) {
            const toml::node* node = param_table->get(name);
            if (node == nullptr)
                continue;
            const toml::key* key = nullptr;
            for (const auto& [k, v] : *param_table)
                if (k.str() == name)
                    key = &k;
            if (auto p = parse_parameter(*key, *node, errors))
                params.push_back(std::move(*p));
        }
    }
    ex.parameters = random::ParameterSpace(std::move(params));
    const std::size_t parameter_errors = errors.size() - errors_before_parameters;
    read_design_options(root, ex, errors);
    if (parameter_errors == 0)
        read_correlations(root, ex, errors);

    // [output]
    if (const toml::node* out_node = root.get("output")) {
        const toml::table* out = out_node->as_table();
        if (out == nullptr) {
            errors.add(diagnostic_at(*out_node, "'output' must be a table"));
        } else {
            TableSite site = site_of(root, "output", path);
            reject_unknown(*out, output_keys, "output", errors, &site);
            if (auto v = string_value(*out, "store", "output", false, errors, site)) {
                if (*v == "raw")
                    ex.output.store = StoreMode::raw;
                else if (*v == "summary")
                    ex.output.store = StoreMode::summary;
                else
                    errors.add(diagnostic_at(*out->get("store"),
                                             "output.store must be \"raw\" or \"summary\" (got \"" +
                                                 *v + "\")"));
            }
            if (const toml::node* q = out->get("quantiles")) {
                const toml::array* arr = q->as_array();
                if (arr == nullptr) {
                    errors.add(diagnostic_at(*q, "output.quantiles must be an array of numbers "
                                                 "in [0, 1]"));
                } else {
                    ex.output.quantiles.clear();
                    for (const auto& el : *arr) {
                        const auto x = toml_number(el);
                        if (!x || !(*x >= 0.0 && *x <= 1.0)) {
                            errors.add(diagnostic_at(el, "output.quantiles: each level must be a "
                                                         "number in [0, 1]"));
                            continue;
                        }
                        ex.output.quantiles.push_back(*x);
                    }
                    if (std::adjacent_find(ex.output.quantiles.begin(), ex.output.quantiles.end(),
                                           std::greater_equal<>()) != ex.output.quantiles.end())
                        errors.add(
                            diagnostic_at(*q, "output.quantiles must be strictly increasing"));
                }
            }
            if (const toml::node* r = out->get("quantile_relative_error")) {
                const auto x = toml_number(*r);
                if (!x || !(*x >= 1e-5 && *x <= 0.25)) {
                    errors.add(diagnostic_at(*r, "output.quantile_relative_error must be a "
                                                 "number in [1e-5, 0.25]"));
                } else {
                    ex.output.quantile_relative_error = *x;
                }
            }
            if (const toml::node* c = out->get("compression")) {
                const auto level = c->is_integer() ? c->as_integer()->get() : -1;
                if (level < 0 || level > 9)
                    errors.add(diagnostic_at(*c, "output.compression must be a deflate level "
                                                 "0-9 (0: none)"));
                else
                    ex.output.compression = static_cast<int>(level);
            }
            if (auto v = string_value(*out, "precision", "output", false, errors, site)) {
                if (*v == "float32")
                    ex.output.single_precision = true;
                else if (*v != "float64")
                    errors.add(
                        diagnostic_at(*out->get("precision"),
                                      "output.precision must be \"float64\" or \"float32\""));
            }
            if (auto v = string_value(*out, "on_nonfinite", "output", false, errors, site)) {
                if (*v == "error")
                    ex.output.nonfinite_is_error = true;
                else if (*v != "count")
                    errors.add(diagnostic_at(*out->get("on_nonfinite"),
                                             "output.on_nonfinite must be \"count\" (exclude "
                                             "and count them) or \"error\" (fail the run)"));
            }
        }
    }
    unsigned bits = 1;
    while (std::ldexp(1.0, -static_cast<int>(bits) - 1) > ex.output.quantile_relative_error)
        ++bits;
    ex.output.sketch_mantissa_bits = bits;

    // [model] and the model itself, once its name and parameters are known.
    const toml::table* model_settings = nullptr;
    if (const toml::node* m = root.get("model")) {
        model_settings = m->as_table();
        if (model_settings == nullptr)
            errors.add(diagnostic_at(*m, "'model' must be a table of model settings"));
    }
    const toml::table* policies_table = nullptr;
    if (const toml::node* pol = root.get("policies")) {
        policies_table = pol->as_table();
        if (policies_table == nullptr)
            errors.add(
                diagnostic_at(*pol, "'policies' must be a table of [policies.<name>] tables"));
    }
    load_plugins(exp, plugins, ex, errors);
    // A parameter that failed to parse is missing from the space: checking the model's inputs
    // then would only add confusing "needs parameter" errors.
    nlohmann::json model_resolved = nlohmann::json::object();
    if (model_name_node != nullptr && parameter_errors == 0) {
        ex.model_name = model_name_node->as_string()->get();
        ModelSource source{*model_name_node, exp,
                           model_settings,   param_table,
                           policies_table,   root.get("policy_sweeps"),
                           policy_order,     path};
        auto built = make_model(source, ex.parameters, errors);
        ex.model = std::move(built.model);
        ex.definition = std::move(built.definition);
        ex.references = std::move(built.references);
        ex.reference_is_list = built.reference_is_list;
        ex.policy_sweeps = std::move(built.policy_sweeps);
        model_resolved = std::move(built.resolved_settings);
    }
    read_sensitivity_options(root, ex, errors);
    read_events(root, ex, errors);
    read_robustness(root, ex, errors);
    read_calibration(root, ex, errors);
    read_kept_outputs(root, ex, errors);
    if (exp != nullptr)
        check_run_count(*exp, root, ex, errors);
    errors.throw_if_any();

    // The resolved experiment: what the run used, with every default filled in.
    nlohmann::json j;
    j["schema_version"] = schema_version;
    j["experiment"] = {{"name", ex.name},
                       {"description", ex.description},
                       {"model", ex.model_name},
                       {"samples", ex.samples},
                       {"seed", ex.seed},
                       {"design", ex.design},
                       {"design_options", design_options_json(ex)},
                       {"block_size", ex.block_size}};
    // Only with plug-ins: the resolved text of other experiments stays as it was.
    if (!ex.plugins.empty())
        j["experiment"]["plugins"] = ex.plugins;
    j["model"] = std::move(model_resolved);
    if (policies_table != nullptr)
        j["policies"] = to_json(*policies_table);
    if (const toml::node* sweeps = root.get("policy_sweeps"))
        j["policy_sweeps"] = to_json(*sweeps);
    if (ex.reference_is_list) {
        j["experiment"]["reference"] = nlohmann::json::array();
        for (const std::size_t r : ex.references)
            j["experiment"]["reference"].push_back(ex.model->variant_name(r));
    } else if (!ex.references.empty()) {
        j["experiment"]["reference"] = ex.model->variant_name(ex.references.front());
    }
    j["parameters"] = nlohmann::json::array();
    for (const auto& p : ex.parameters.parameters()) {
        j["parameters"].push_back({{"name", p.name},
                                   {"distribution", p.distribution.describe()},
                                   {"units", p.units},
                                   {"description", p.description}});
    }
    j["output"] = {{"store", ex.output.store == StoreMode::raw ? "raw" : "summary"},
                   {"quantiles", ex.output.quantiles},
                   {"quantile_relative_error", ex.output.quantile_relative_error},
                   {"compression", ex.output.compression},
                   {"precision", ex.output.single_precision ? "float32" : "float64"},
                   {"on_nonfinite", ex.output.nonfinite_is_error ? "error" : "count"},
                   {"sketch_mantissa_bits", ex.output.sketch_mantissa_bits}};
    if (ex.output.keep) { // only when given: other experiments' resolved text stays as it was
        j["output"]["keep"] = nlohmann::json::array();
        for (const std::size_t k : *ex.output.keep)
            j["output"]["keep"].push_back(ex.model->outputs()[k].name);
    }
    // Only when there are events: the resolved text of experiments without them stays as it was.
    if (!ex.events.empty())
        j["output"]["events"] = events_json(ex);
    j["sensitivity"] = sensitivity_json(ex);
    // Only when asked for: the resolved text of experiments without it stays as it was.
    if (!ex.robustness.empty())
        j["robustness"] = robustness_json(ex);
    if (ex.calibration.enabled)
        j["calibration"] = calibration_json(ex);
    j["correlations"] = nlohmann::json::array();
    for (const auto& c : ex.correlations)
        j["correlations"].push_back(
            {{"first", c.first}, {"second", c.second}, {"spearman", c.spearman}});
    j["includes"] = ex.included_paths;
    j["overrides"] = ex.overrides;
    ex.resolved = std::move(j);
    return ex;
}

} // namespace chiprace::config
