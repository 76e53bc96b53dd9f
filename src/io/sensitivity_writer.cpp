#include "chiprace/io/sensitivity_writer.hpp"

#include "chiprace/io/dimension_scale.hpp"
#include "chiprace/io/hdf5_write.hpp"

#include <hdf5_hl.h>
#include <stdexcept>

namespace chiprace::io {

namespace {

/// (d) or (d, T) row-major from per-year vectors of length d.
struct Table {
    std::vector<double> values;
    std::vector<hsize_t> dims;
};

Table table(std::size_t d, std::size_t years, bool per_year,
            const std::function<double(std::size_t year, std::size_t k)>& at) {
    Table t;
    const std::size_t columns = per_year ? years : 1;
    t.values.resize(d * columns);
    for (std::size_t k = 0; k < d; ++k)
        for (std::size_t y = 0; y < columns; ++y)
            t.values[k * columns + y] = at(y, k);
    t.dims = per_year ? std::vector<hsize_t>{d, years} : std::vector<hsize_t>{d};
    return t;
}

/// The attribute undefined_reason of an output's group, only when some column has NaN values
/// for a reason the estimate names: a string, or one string per analysed year ("" where the
/// values are defined), aligned with /sensitivity_year.
template <class Estimate>
void write_undefined_reason(hid_t group, const Estimate* e, std::size_t columns, bool per_year) {
    std::vector<std::string> reasons;
    bool any = false;
    for (std::size_t y = 0; y < columns; ++y) {
        reasons.emplace_back(e[y].undefined_reason);
        any = any || !e[y].undefined_reason.empty();
    }
    if (!any)
        return;
    if (per_year)
        write_attribute(group, "undefined_reason", std::span<const std::string>(reasons));
    else
        write_attribute(group, "undefined_reason", reasons.front());
}

} // namespace

void write_sensitivity(const std::string& path, const ResultLayout& layout,
                       const std::vector<SensitivityGroup>& groups) {
    if (!layout.sensitivity)
        return;
    const auto& sens = *layout.sensitivity;
    const bool sobol = sens.method == SensitivityLayout::Method::sobol;
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + path);

    std::vector<std::string> names;
    for (const auto& in : layout.inputs)
        names.push_back(in.name);
    const std::size_t d = names.size();
    write_string_array(file, "parameter", names, dimension_scale_creation_list());
    auto parameter = h5_dataset(H5Dopen2(file, "parameter", H5P_DEFAULT), "opening /parameter");
    check_h5(H5DSset_scale(parameter, "parameter"), "making /parameter a dimension scale");
    write_attribute(parameter, "long_name",
                    std::string("uncertain parameter (the order of /inputs and /config_resolved)"));
    Hdf5Handle year;
    const std::size_t n_years = sens.years.size();
    if (n_years > 0) {
        std::vector<std::int64_t> ys(sens.years.begin(), sens.years.end());
        const hsize_t t = ys.size();
        write_dataset(file, "sensitivity_year", std::span<const std::int64_t>(ys), std::span(&t, 1),
                      dimension_scale_creation_list());
        year = h5_dataset(H5Dopen2(file, "sensitivity_year", H5P_DEFAULT),
                          "opening /sensitivity_year");
        check_h5(H5DSset_scale(year, "sensitivity_year"), "making a dimension scale");
        write_attribute(year, "units", std::string("year"));
    }

    DimensionScaleAttacher scales;
    for (const auto& group : groups) {
        std::size_t slot = 0;
        for (const std::size_t k : sens.outputs) {
            const auto& out = layout.outputs[k];
            const bool per_year = out.per_year;
            const std::size_t columns = per_year ? n_years : 1;
            const std::string where = ResultLayout::join(group.group, "sensitivity/" + out.name);
            auto g = require_group(file, where);
            write_attribute(g, "method", std::string(sens.method_name()));
            write_attribute(g, "confidence_level", sens.confidence_level);
            write_attribute(g, "bootstrap_replicates",
                            static_cast<std::int64_t>(sens.bootstrap_replicates));
            auto put = [&](const char* name, const Table& t, const std::string& description) {
                write_dataset(g, name, std::span<const double>(t.values), t.dims);
                auto ds = h5_dataset(H5Dopen2(g, name, H5P_DEFAULT), "opening " + where);
                write_attribute(ds, "description", description);
                if (per_year)
                    scales.attach(ds, {parameter, year});
                else
                    scales.attach(ds, {parameter});
            };
            auto per_column = [&](const char* name, const std::vector<double>& v,
                                  const std::string& units, const std::string& description) {
                std::vector<hsize_t> dims;
                if (per_year)
                    dims.push_back(columns);
                write_dataset(g, name, std::span<const double>(v), dims);
                auto ds = h5_dataset(H5Dopen2(g, name, H5P_DEFAULT), "opening " + where);
                write_attribute(ds, "units", units);
                write_attribute(ds, "description", description);
                if (per_year)
                    scales.attach(ds, {year});
            };
            if (sobol) {
                if (group.sobol.size() < slot + columns)
                    throw std::logic_error("write_sensitivity: too few estimates");
                const auto* e = group.sobol.data() + slot;
                auto tab = [&](auto member) {
                    return table(d, n_years, per_year,
                                 [&](std::size_t y, std::size_t p) { return (e[y].*member)[p]; });
                };
                using E = stats::SobolEstimate;
                put("S1", tab(&E::first),
                    "first-order index, Saltelli et al. (2010): mean f(B)(f(A_B^k) - f(A)) / V");
                put("ST", tab(&E::total),
                    "total index, Jansen (1999): mean (f(A) - f(A_B^k))^2 / (2 V)");
                put("S1_conf", tab(&E::first_conf),
                    "half-width z*sd of the Poisson-bootstrap replicates of S1");
                put("ST_conf", tab(&E::total_conf),
                    "half-width z*sd of the Poisson-bootstrap replicates of ST");
                put("S1_low", tab(&E::first_low), "percentile bootstrap interval of S1, lower");
                put("S1_high", tab(&E::first_high), "percentile bootstrap interval of S1, upper");
                put("ST_low", tab(&E::total_low), "percentile bootstrap interval of ST, lower");
                put("ST_high", tab(&E::total_high), "percentile bootstrap interval of ST, upper");
                put("S1_delta_conf", tab(&E::first_delta_conf),
                    "half-width of the asymptotic (delta-method) interval of S1");
                put("ST_delta_conf", tab(&E::total_delta_conf),
                    "half-width of the asymptotic (delta-method) interval of ST");
                if (sens.second_order) {
                    // (d, d [, T']): parameter × parameter, symmetric, NaN on the diagonal.
                    auto pairs = [&](auto member, const char* name, const std::string& what) {
                        std::vector<double> v(d * d * columns);
                        for (std::size_t y = 0; y < columns; ++y)
                            if ((e[y].*member).size() != d * d)
                                throw std::logic_error("write_sensitivity: a second-order "
                                                       "estimate without its d x d values");
                        for (std::size_t a = 0; a < d; ++a)
                            for (std::size_t b = 0; b < d; ++b)
                                for (std::size_t y = 0; y < columns; ++y)
                                    v[(a * d + b) * columns + y] = (e[y].*member)[a * d + b];
                        std::vector<hsize_t> dims{d, d};
                        if (per_year)
                            dims.push_back(columns);
                        write_dataset(g, name, std::span<const double>(v), dims);
                        auto ds = h5_dataset(H5Dopen2(g, name, H5P_DEFAULT), "opening " + where);
                        write_attribute(ds, "description", what);
                        if (per_year)
                            scales.attach(ds, {parameter, parameter, year});
                        else
                            scales.attach(ds, {parameter, parameter});
                    };
                    pairs(&E::second, "S2",
                          "second-order index, Saltelli (2002): mean(f(B_A^j) f(A_B^k) - f(A) "
                          "f(B)) / V - S_j - S_k");
                    pairs(&E::second_conf, "S2_conf",
                          "half-width z*sd of the Poisson-bootstrap replicates of S2");
                    pairs(&E::second_low, "S2_low", "percentile bootstrap interval of S2, lower");
                    pairs(&E::second_high, "S2_high", "percentile bootstrap interval of S2, upper");
                }
                std::vector<double> variance, n_base, skipped;
                for (std::size_t y = 0; y < columns; ++y) {
                    variance.push_back(e[y].variance);
                    n_base.push_back(static_cast<double>(e[y].n));
                    skipped.push_back(static_cast<double>(e[y].skipped));
                }
                per_column("variance", variance, out.units.empty() ? "1" : "(" + out.units + ")^2",
                           "variance V of the pooled f(A), f(B) values");
                per_column("n_base", n_base, "base points",
                           "base points used (all d + 2 values finite)");
                per_column("n_skipped", skipped, "base points",
                           "base points skipped because a value was not finite");
                write_undefined_reason(g, e, columns, per_year);
            } else {
                if (group.morris.size() < slot + columns)
                    throw std::logic_error("write_sensitivity: too few estimates");
                const auto* e = group.morris.data() + slot;
                auto tab = [&](auto member) {
                    return table(d, n_years, per_year,
                                 [&](std::size_t y, std::size_t p) { return (e[y].*member)[p]; });
                };
                using E = stats::MorrisEstimate;
                put("mu", tab(&E::mu), "mean elementary effect (output per unit of the unit cube)");
                put("mu_star", tab(&E::mu_star), "mean absolute elementary effect");
                put("sigma", tab(&E::sigma), "standard deviation of the elementary effects");
                put("mu_star_conf", tab(&E::mu_star_conf),
                    "half-width z*sd of the Poisson-bootstrap replicates of mu_star");
                put("mu_star_low", tab(&E::mu_star_low), "percentile bootstrap interval, lower");
                put("mu_star_high", tab(&E::mu_star_high), "percentile bootstrap interval, upper");
                std::vector<double> n_traj, skipped;
                for (std::size_t y = 0; y < columns; ++y) {
                    n_traj.push_back(static_cast<double>(e[y].trajectories));
                    skipped.push_back(static_cast<double>(e[y].skipped));
                }
                per_column("n_trajectories", n_traj, "trajectories",
                           "trajectories used (all d + 1 values finite)");
                per_column("n_skipped", skipped, "trajectories",
                           "trajectories skipped because a value was not finite");
                write_undefined_reason(g, e, columns, per_year);
            }
            slot += columns;
        }
    }
    scales.finish();
    check_h5(H5Fflush(file, H5F_SCOPE_GLOBAL), "flushing " + path);
    file.close(path);
}

} // namespace chiprace::io
