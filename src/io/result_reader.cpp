#include "chiprace/io/result_reader.hpp"

#include "chiprace/io/hdf5_write.hpp"
#include "chiprace/io/result_layout.hpp"

#include <filesystem>
#include <sstream>

namespace chiprace::io {

namespace {

std::string attribute_text(hid_t object, const std::string& name) {
    auto attr = h5_attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute");
    auto type = h5_type(H5Aget_type(attr), "attribute type");
    switch (H5Tget_class(type)) {
    case H5T_STRING:
        return read_string_attribute(object, name);
    case H5T_INTEGER:
        return std::to_string(read_int_attribute(object, name));
    case H5T_FLOAT: {
        double v = 0;
        check_h5(H5Aread(attr, H5T_NATIVE_DOUBLE, &v), "reading attribute");
        std::ostringstream s;
        s << v;
        return s.str();
    }
    default:
        return "?";
    }
}

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
}

/// The summaries under <group>/<kind>: "summary" (the prior, every run) or "posterior".
void read_summary_group(hid_t file, const std::string& group, const std::string& kind,
                        std::vector<OutputSummaryView>& out) {
    const std::string path = group.empty() ? kind : group + "/" + kind;
    if (!link_exists(file, path))
        return;
    auto summary = h5_group(H5Gopen2(file, path.c_str(), H5P_DEFAULT), "opening " + path);
    for (const auto& name : list_links(summary)) {
        auto g = h5_group(H5Gopen2(summary, name.c_str(), H5P_DEFAULT), "opening " + name);
        OutputSummaryView v;
        v.group = group;
        v.name = name;
        if (has_attribute(g, "units"))
            v.units = read_string_attribute(g, "units");
        if (has_attribute(g, "description"))
            v.description = read_string_attribute(g, "description");
        v.mean = read_double_dataset(g, "mean");
        v.std_dev = read_double_dataset(g, "std");
        v.min = read_double_dataset(g, "min");
        v.max = read_double_dataset(g, "max");
        v.quantiles = read_double_dataset(g, "quantiles");
        v.n_finite = read_int_dataset(g, "n_finite");
        v.n_non_finite = read_int_dataset(g, "n_non_finite");
        auto ds = h5_dataset(H5Dopen2(g, "mean", H5P_DEFAULT), "opening mean");
        auto space = h5_space(H5Dget_space(ds), "dataspace");
        v.per_year = H5Sget_simple_extent_ndims(space) == 1;
        if (link_exists(g, "events")) {
            auto eg = h5_group(H5Gopen2(g, "events", H5P_DEFAULT), "opening events");
            const auto names = read_string_array(eg, "event");
            const auto comparisons = read_string_array(eg, "comparison");
            const auto thresholds = read_double_dataset(eg, "threshold");
            const auto p = read_double_dataset(eg, "probability");
            const auto low = read_double_dataset(eg, "probability_low");
            const auto high = read_double_dataset(eg, "probability_high");
            const auto count = read_uint_dataset(eg, "count");
            const std::size_t ne = names.size();
            const std::size_t width = ne == 0 ? 0 : p.size() / ne; // (T, E) or (E)
            if (comparisons.size() != ne || thresholds.size() != ne || low.size() != p.size() ||
                high.size() != p.size() || count.size() != p.size() || width * ne != p.size())
                throw RuntimeFailure(path + "/" + name + "/events: datasets of unequal sizes");
            for (std::size_t e = 0; e < ne; ++e) {
                OutputSummaryView::Event ev{names[e], comparisons[e], thresholds[e], {}, {}, {},
                                            {}};
                for (std::size_t t = 0; t < width; ++t) {
                    ev.probability.push_back(p[t * ne + e]);
                    ev.low.push_back(low[t * ne + e]);
                    ev.high.push_back(high[t * ne + e]);
                    ev.count.push_back(count[t * ne + e]);
                }
                v.events.push_back(std::move(ev));
            }
        }
        out.push_back(std::move(v));
    }
}

void read_sensitivity_group(hid_t file, const std::string& group, ResultOverview& out) {
    const std::string path = group.empty() ? "sensitivity" : group + "/sensitivity";
    if (!link_exists(file, path))
        return;
    auto sens = h5_group(H5Gopen2(file, path.c_str(), H5P_DEFAULT), "opening " + path);
    for (const auto& name : list_links(sens)) {
        auto g = h5_group(H5Gopen2(sens, name.c_str(), H5P_DEFAULT), "opening " + name);
        SensitivityView v;
        v.group = group;
        v.output = name;
        v.method = has_attribute(g, "method") ? read_string_attribute(g, "method") : "sobol";
        const bool sobol = v.method == "sobol";
        const char* main = sobol ? "S1" : "mu_star";
        v.main = read_double_dataset(g, main);
        v.total = read_double_dataset(g, sobol ? "ST" : "sigma");
        v.main_conf = read_double_dataset(g, sobol ? "S1_conf" : "mu_star_conf");
        if (sobol)
            v.total_conf = read_double_dataset(g, "ST_conf");
        if (has_attribute(g, "undefined_reason"))
            v.undefined_reason = read_string_list_attribute(g, "undefined_reason");
        auto ds = h5_dataset(H5Dopen2(g, main, H5P_DEFAULT), "opening " + name);
        auto space = h5_space(H5Dget_space(ds), "dataspace");
        v.per_year = H5Sget_simple_extent_ndims(space) == 2;
        out.sensitivity.push_back(std::move(v));
    }
}

} // namespace

std::string ResultOverview::attribute(const std::string& name) const {
    for (const auto& [k, v] : attributes)
        if (k == name)
            return v;
    return {};
}

namespace {

void read_robustness(hid_t file, ResultOverview& out) {
    auto root = h5_group(H5Gopen2(file, "robustness", H5P_DEFAULT), "opening /robustness");
    out.robustness_policies = read_string_array(root, "policy");
    auto names = has_attribute(root, "objectives") ? read_string_list_attribute(root, "objectives")
                                                   : list_links(root);
    for (const auto& name : names) {
        if (name == "policy" || name == "versus") // the scales
            continue;
        auto g = h5_group(H5Gopen2(root, name.c_str(), H5P_DEFAULT), "opening /robustness/" + name);
        RobustnessView v;
        v.name = name;
        v.output = read_string_attribute(g, "output");
        v.better = read_string_attribute(g, "better");
        v.units = read_string_attribute(g, "units");
        if (has_attribute(g, "year"))
            v.year = static_cast<int>(read_int_attribute(g, "year"));
        v.samples = read_int_attribute(g, "n_samples");
        v.regret_mean = read_double_dataset(g, "regret_mean");
        v.regret_max = read_double_dataset(g, "regret_max");
        v.best_share = read_double_dataset(g, "best_share");
        v.mean_rank = read_int_dataset(g, "mean_regret_rank");
        v.minimax_rank = read_int_dataset(g, "minimax_regret_rank");
        v.dominance_share = read_double_dataset(g, "dominance_share");
        if (link_exists(g, "threshold")) {
            v.thresholds = read_double_dataset(g, "threshold");
            v.satisficing_share = read_double_dataset(g, "satisficing_share");
        }
        out.robustness.push_back(std::move(v));
    }
}

double read_double_attribute(hid_t object, const std::string& name) {
    auto attr = h5_attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute");
    double v = 0;
    check_h5(H5Aread(attr, H5T_NATIVE_DOUBLE, &v), "reading attribute " + name);
    return v;
}

double read_double_scalar(hid_t parent, const std::string& name) {
    const auto v = read_double_dataset(parent, name);
    if (v.size() != 1)
        throw RuntimeFailure("/calibration: " + name + " is not a single number");
    return v[0];
}

std::vector<CalibrationView::InputSummary> read_input_summaries(hid_t calibration,
                                                                const std::string& kind) {
    std::vector<CalibrationView::InputSummary> found;
    const std::string path = "inputs/" + kind;
    if (!link_exists(calibration, "inputs") || !link_exists(calibration, path))
        return found;
    auto g = h5_group(H5Gopen2(calibration, path.c_str(), H5P_DEFAULT), "opening " + path);
    for (const auto& name : list_links(g)) {
        auto p = h5_group(H5Gopen2(g, name.c_str(), H5P_DEFAULT), "opening " + path + "/" + name);
        found.push_back({name, read_double_scalar(p, "mean"), read_double_scalar(p, "std")});
    }
    return found;
}

CalibrationView read_calibration(hid_t file) {
    auto c = h5_group(H5Gopen2(file, "calibration", H5P_DEFAULT), "opening /calibration");
    CalibrationView v;
    v.min_ess = read_double_attribute(c, "min_ess");
    v.on_low_ess = read_string_attribute(c, "on_low_ess");
    auto d = h5_group(H5Gopen2(c, "diagnostics", H5P_DEFAULT), "opening /calibration/diagnostics");
    // Without targets (every weight 1) the per-target datasets are absent.
    if (link_exists(c, "target")) {
        const auto names = read_string_array(c, "target");
        const auto outputs = read_string_array(c, "output");
        const auto policies = read_string_array(c, "policy");
        const auto observations = read_string_array(c, "observation");
        const auto sources = read_string_array(c, "source");
        const auto years = read_int_dataset(c, "year");
        const auto parameters = read_double_dataset(c, "observation_parameters");
        const auto target_ess = read_double_dataset(d, "target_ess");
        const std::size_t n = names.size();
        if (outputs.size() != n || policies.size() != n || observations.size() != n ||
            sources.size() != n || years.size() != n || parameters.size() != 3 * n ||
            target_ess.size() != n)
            throw RuntimeFailure("/calibration: the targets' datasets have unequal sizes");
        for (std::size_t t = 0; t < n; ++t)
            v.targets.push_back({names[t],
                                 outputs[t],
                                 policies[t],
                                 observations[t],
                                 sources[t],
                                 years[t],
                                 {parameters[3 * t], parameters[3 * t + 1], parameters[3 * t + 2]},
                                 target_ess[t]});
    }
    v.ess = read_double_scalar(d, "ess");
    v.ess_fraction = read_double_scalar(d, "ess_fraction");
    v.max_weight = read_double_scalar(d, "max_weight");
    const auto positive = read_uint_dataset(d, "n_positive");
    const auto written = read_int_dataset(d, "posterior_written");
    if (positive.size() != 1 || written.size() != 1)
        throw RuntimeFailure("/calibration/diagnostics: n_positive or posterior_written is not "
                             "a single number");
    v.n_positive = positive[0];
    v.posterior_written = written[0] != 0;
    v.prior_inputs = read_input_summaries(c, "prior");
    if (v.posterior_written)
        v.posterior_inputs = read_input_summaries(c, "posterior");
    return v;
}

} // namespace

ResultOverview read_result_overview(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw RuntimeFailure(path + ": no such file");
    if (H5Fis_hdf5(path.c_str()) <= 0)
        throw RuntimeFailure(path + ": not an HDF5 file");
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path);
    if (!has_attribute(file, "format") || read_string_attribute(file, "format") != format_name)
        throw RuntimeFailure(path + ": not a chiprace result file (no format=\"chiprace\")");
    const auto major = read_int_attribute(file, "format_version");
    if (major != format_version_major)
        throw RuntimeFailure(path + ": format version " + std::to_string(major) +
                             ", but this chiprace reads version " +
                             std::to_string(format_version_major));
    if (!has_attribute(file, "completed_utc"))
        throw RuntimeFailure(path + ": incomplete result file (the run that wrote it did not "
                                    "finish)");
    ResultOverview out;
    std::vector<std::string> names;
    hsize_t idx = 0;
    check_h5(H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attribute_name, &names),
             "listing attributes");
    for (const auto& n : names)
        out.attributes.emplace_back(n, attribute_text(file, n));
    if (link_exists(file, "time"))
        for (const auto y : read_int_dataset(file, "time"))
            out.years.push_back(static_cast<int>(y));
    out.quantile_levels = read_double_dataset(file, "quantile_level");
    out.has_raw_rows = link_exists(file, "inputs");
    if (out.has_raw_rows) {
        auto inputs = h5_group(H5Gopen2(file, "inputs", H5P_DEFAULT), "opening /inputs");
        out.inputs = list_links(inputs);
    }
    if (link_exists(file, "parameter"))
        out.parameters = read_string_array(file, "parameter");
    if (link_exists(file, "sensitivity_year"))
        for (const auto y : read_int_dataset(file, "sensitivity_year"))
            out.sensitivity_years.push_back(static_cast<int>(y));
    std::vector<std::string> groups{""};
    for (const char* kind : {"policies", "contrasts"}) {
        if (!link_exists(file, kind))
            continue;
        auto g = h5_group(H5Gopen2(file, kind, H5P_DEFAULT), std::string("opening /") + kind);
        for (const auto& name : list_links(g))
            groups.push_back(std::string(kind) + "/" + name);
    }
    for (const auto& group : groups) {
        read_summary_group(file, group, "summary", out.summaries);
        read_sensitivity_group(file, group, out);
    }
    if (link_exists(file, "robustness"))
        read_robustness(file, out);
    if (link_exists(file, "calibration")) {
        out.calibration = read_calibration(file);
        for (const auto& group : groups)
            read_summary_group(file, group, "posterior", out.posterior);
        // A posterior summary is about the same output as its prior: same units and text.
        for (auto& p : out.posterior)
            for (const auto& s : out.summaries)
                if (s.group == p.group && s.name == p.name && p.units.empty()) {
                    p.units = s.units;
                    p.description = s.description;
                }
    }
    return out;
}

std::vector<double> read_raw_dataset(const std::string& path, const std::string& dataset) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path);
    return read_double_dataset(file, dataset);
}

} // namespace chiprace::io
