#include "chiprace/io/rank_correlation_writer.hpp"

#include "chiprace/io/dimension_scale.hpp"
#include "chiprace/io/hdf5_write.hpp"

#include <algorithm>
#include <hdf5_hl.h>
#include <stdexcept>
#include <variant>

namespace chiprace::io {

namespace {

constexpr const char* group_name = "rank_correlations";
constexpr const char* year_scale = "rank_correlation_year";

/// "" and "policies/<p>" for every group that has (or may get) results.
std::vector<std::string> result_parents(hid_t file) {
    std::vector<std::string> parents{""};
    if (link_exists(file, "policies")) {
        auto policies = h5_group(H5Gopen2(file, "policies", H5P_DEFAULT), "opening /policies");
        for (const auto& p : list_links(policies)) {
            std::string parent = "policies/";
            parent += p;
            parents.push_back(parent);
        }
    }
    return parents;
}

std::string under(const std::string& parent, const std::string& rest) {
    return parent.empty() ? rest : parent + "/" + rest;
}

struct Coefficient {
    const char* name;
    std::vector<double> stats::RankCorrelationEstimate::*values;
    const char* long_name;
    const char* description;
};

const Coefficient coefficients[] = {
    {"spearman", &stats::RankCorrelationEstimate::spearman, "Spearman's rank correlation",
     "correlation of the ranks of the input and of the output"},
    {"srrc", &stats::RankCorrelationEstimate::srrc, "standardised rank regression coefficient",
     "coefficient of the input in the linear regression of the output's ranks on all inputs' "
     "ranks, both in standard deviations: beta with R_xx beta = r_xy"},
    {"prcc", &stats::RankCorrelationEstimate::prcc, "partial rank correlation coefficient",
     "correlation of the input's and the output's ranks once both are linearly adjusted for the "
     "other inputs' ranks: -P_iy / sqrt(P_ii P_yy), P the inverse of the rank correlation "
     "matrix of the inputs and the output"},
};

/// /parameter is shared with the sensitivity results, so its back-references (REFERENCE_LIST)
/// to an earlier analyze's datasets must be removed before they are deleted: netCDF readers
/// follow them. /rank_correlation_year goes with them, back-references and all.
void remove_earlier_results(hid_t file) {
    std::vector<hobj_ref_t> gone;
    for (const auto& parent : result_parents(file)) {
        const std::string where = under(parent, group_name);
        if (!link_exists(file, where))
            continue;
        auto g = h5_group(H5Gopen2(file, where.c_str(), H5P_DEFAULT), "opening " + where);
        for (const auto& output : list_links(g))
            for (const auto& c : coefficients) {
                const std::string name = output + "/" + c.name;
                if (!link_exists(g, name))
                    continue;
                hobj_ref_t ref{};
                check_h5(H5Rcreate(&ref, g, name.c_str(), H5R_OBJECT, -1), "referring to " + name);
                gone.push_back(ref);
            }
    }
    if (link_exists(file, "parameter")) {
        auto parameter = h5_dataset(H5Dopen2(file, "parameter", H5P_DEFAULT), "opening /parameter");
        forget_attached(parameter, gone);
    }
    for (const auto& parent : result_parents(file)) {
        const std::string where = under(parent, group_name);
        if (link_exists(file, where))
            check_h5(H5Ldelete(file, where.c_str(), H5P_DEFAULT), "removing the earlier " + where);
    }
    if (link_exists(file, year_scale))
        check_h5(H5Ldelete(file, year_scale, H5P_DEFAULT), "removing /rank_correlation_year");
}

Hdf5Handle parameter_scale(hid_t file, std::span<const std::string> inputs) {
    if (link_exists(file, "parameter")) {
        const auto stored = read_string_array(file, "parameter");
        if (!std::equal(stored.begin(), stored.end(), inputs.begin(), inputs.end()))
            throw RuntimeFailure("/parameter does not list the inputs of /inputs in parameter "
                                 "order; the file is inconsistent");
    } else {
        write_string_array(file, "parameter", inputs, dimension_scale_creation_list());
    }
    auto parameter = h5_dataset(H5Dopen2(file, "parameter", H5P_DEFAULT), "opening /parameter");
    if (H5DSis_scale(parameter) <= 0) {
        check_h5(H5DSset_scale(parameter, "parameter"), "making /parameter a dimension scale");
        write_attribute(parameter, "long_name",
                        std::string("uncertain parameter (the order of /config_resolved)"));
    }
    return parameter;
}

/// Why some coefficients of one column are NaN, "" when none is for a reason of the data.
std::string undefined_reason(const stats::RankCorrelationEstimate& e,
                             std::span<const std::string> inputs) {
    if (e.n_used < 2)
        return "fewer than two rows used (n_used = " + std::to_string(e.n_used) +
               "): no coefficient is defined";
    if (e.constant_output)
        return "the output is constant on the rows used (its ranks have zero variance): every "
               "coefficient is a correlation with a constant, 0/0";
    std::string reason;
    if (!e.constant_inputs.empty()) {
        reason = "constant on the rows used, so NaN (a correlation with a constant is 0/0):";
        for (const auto k : e.constant_inputs)
            reason += " " + (k < inputs.size() ? inputs[k] : std::to_string(k));
    }
    if (e.too_few_rows) {
        if (!reason.empty())
            reason += "; ";
        reason += "srrc and prcc need more rows used than non-constant inputs plus one";
    }
    return reason;
}

void write_attributes(hid_t object, const std::vector<Attribute>& attributes) {
    for (const auto& a : attributes)
        std::visit([&](const auto& v) { write_attribute(object, a.name, v); }, a.value);
}

} // namespace

void write_rank_correlations(const std::string& path, std::span<const std::string> inputs,
                             std::span<const int> years,
                             const std::vector<RankCorrelationTable>& tables,
                             const std::vector<Attribute>& attributes) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + path);
    remove_earlier_results(file);
    auto parameter = parameter_scale(file, inputs);
    const std::size_t d = inputs.size(), t_count = years.size();

    Hdf5Handle year;
    const bool any_per_year =
        std::any_of(tables.begin(), tables.end(), [](const auto& t) { return t.per_year; });
    if (any_per_year) {
        std::vector<std::int64_t> ys(years.begin(), years.end());
        const hsize_t t = ys.size();
        write_dataset(file, year_scale, std::span<const std::int64_t>(ys), std::span(&t, 1),
                      dimension_scale_creation_list());
        year = h5_dataset(H5Dopen2(file, year_scale, H5P_DEFAULT), "opening the year scale");
        check_h5(H5DSset_scale(year, year_scale), "making a dimension scale");
        write_attribute(year, "units", std::string("year"));
        write_attribute(year, "long_name",
                        std::string("year of each column of the per-year rank correlations"));
    }

    DimensionScaleAttacher scales;
    std::vector<std::string> groups_done;
    for (const auto& table : tables) {
        const std::size_t columns = table.per_year ? t_count : 1;
        if (table.columns.size() != columns)
            throw std::logic_error("write_rank_correlations: wrong number of columns");
        const std::string parent = under(table.group, group_name);
        auto top = require_group(file, parent);
        if (std::find(groups_done.begin(), groups_done.end(), parent) == groups_done.end()) {
            write_attribute(top, "description",
                            std::string("rank correlations of each input with each output over "
                                        "the stored rows (chiprace analyze)"));
            write_attributes(top, attributes);
            groups_done.push_back(parent);
        }
        auto g = create_group(top, table.output);
        write_attribute(g, "output_units", table.units.empty() ? std::string("1") : table.units);
        write_attribute(g, "ranks",
                        std::string("average ranks (ties share the mean of their ranks) among "
                                    "the rows used"));

        const std::vector<hsize_t> dims =
            table.per_year ? std::vector<hsize_t>{d, t_count} : std::vector<hsize_t>{d};
        for (const auto& coefficient : coefficients) {
            std::vector<double> values(d * columns);
            for (std::size_t c = 0; c < columns; ++c) {
                const auto& v = table.columns[c].*coefficient.values;
                if (v.size() != d)
                    throw std::logic_error("write_rank_correlations: wrong number of inputs");
                for (std::size_t k = 0; k < d; ++k)
                    values[k * columns + c] = v[k];
            }
            write_dataset(g, coefficient.name, std::span<const double>(values), dims);
            auto ds = h5_dataset(H5Dopen2(g, coefficient.name, H5P_DEFAULT), "opening a result");
            write_attribute(ds, "units", std::string("1"));
            write_attribute(ds, "long_name", std::string(coefficient.long_name));
            write_attribute(ds, "description", std::string(coefficient.description));
            if (table.per_year)
                scales.attach(ds, {parameter, year});
            else
                scales.attach(ds, {parameter});
        }
        {
            std::vector<std::string> reasons;
            bool any = false;
            for (const auto& column : table.columns) {
                reasons.push_back(undefined_reason(column, inputs));
                any = any || !reasons.back().empty();
            }
            // Aligned with /rank_correlation_year for a series, "" where all is defined.
            if (any && table.per_year)
                write_attribute(g, "undefined_reason", std::span<const std::string>(reasons));
            else if (any)
                write_attribute(g, "undefined_reason", reasons.front());
        }
        std::vector<std::uint64_t> used(columns), dropped(columns);
        std::vector<double> r_squared(columns);
        for (std::size_t c = 0; c < columns; ++c) {
            used[c] = table.columns[c].n_used;
            dropped[c] = table.columns[c].n_dropped;
            r_squared[c] = table.columns[c].r_squared;
        }
        const std::vector<hsize_t> count_dims =
            table.per_year ? std::vector<hsize_t>{t_count} : std::vector<hsize_t>{};
        write_dataset(g, "r_squared", std::span<const double>(r_squared), count_dims);
        {
            auto ds = h5_dataset(H5Dopen2(g, "r_squared", H5P_DEFAULT), "opening r_squared");
            write_attribute(ds, "units", std::string("1"));
            write_attribute(ds, "long_name",
                            std::string("R^2 of the rank regression: the share of the output "
                                        "ranks' variance explained by the srrc model"));
            if (table.per_year)
                scales.attach(ds, {year});
        }
        const struct {
            const char* name;
            const std::vector<std::uint64_t>& values;
            const char* long_name;
        } counts[] = {
            {"n_used", used, "rows used: every input and the output finite"},
            {"n_dropped", dropped, "rows dropped because an input or the output was not finite"},
        };
        for (const auto& count : counts) {
            write_dataset(g, count.name, std::span<const std::uint64_t>(count.values), count_dims);
            auto ds = h5_dataset(H5Dopen2(g, count.name, H5P_DEFAULT), "opening a count");
            write_attribute(ds, "units", std::string("samples"));
            write_attribute(ds, "long_name", std::string(count.long_name));
            if (table.per_year)
                scales.attach(ds, {year});
        }
    }
    scales.finish();
    check_h5(H5Fflush(file, H5F_SCOPE_GLOBAL), "flushing " + path);
    parameter.reset();
    year.reset();
    file.close(path);
}

std::vector<std::string> list_rank_correlations(const std::string& path) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path);
    std::vector<std::string> found;
    for (const auto& parent : result_parents(file)) {
        const std::string where = under(parent, group_name);
        if (!link_exists(file, where))
            continue;
        auto g = h5_group(H5Gopen2(file, where.c_str(), H5P_DEFAULT), "opening " + where);
        for (const auto& output : list_links(g))
            found.push_back(where + "/" + output);
    }
    return found;
}

} // namespace chiprace::io
