#include "chiprace/io/robustness_writer.hpp"

#include "chiprace/io/dimension_scale.hpp"
#include "chiprace/io/hdf5_handle.hpp"
#include "chiprace/io/hdf5_write.hpp"
#include "chiprace/io/result_file.hpp"
#include "chiprace/stats/event_count.hpp"
#include "chiprace/stats/interval.hpp"
#include "chiprace/stats/regret.hpp"

#include <cmath>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdexcept>

namespace chiprace::io {

std::vector<std::int64_t> ranks_ascending(const std::vector<double>& values) {
    std::vector<std::int64_t> ranks(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::int64_t r = 1;
        for (std::size_t j = 0; j < values.size(); ++j) {
            const bool before =
                std::isnan(values[i]) ? !std::isnan(values[j]) : values[j] < values[i];
            r += before ? 1 : 0;
        }
        ranks[i] = r;
    }
    return ranks;
}

void write_robustness(const std::string& path, const ResultLayout& layout,
                      const std::vector<RobustnessResult>& results, std::uint64_t samples) {
    if (layout.robustness.empty())
        return;
    if (results.size() != layout.robustness.size())
        throw std::logic_error("write_robustness: one result per objective");
    const std::size_t p = layout.variant_groups.size();
    const std::size_t nq = layout.quantile_levels.size();
    std::vector<std::string> policies;
    for (const auto& g : layout.variant_groups)
        policies.push_back(g.substr(g.find('/') + 1));
    const double z = stats::normal_two_sided_z(event_confidence_level);

    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + path);
    auto root = create_group(file, "robustness");
    write_attribute(root, "description",
                    std::string("Policies compared future by future on each objective: regret "
                                "(best policy's value in the future minus this policy's), "
                                "satisficing shares, pairwise dominance (docs/robustness.md)"));
    write_attribute(root, "confidence_level", event_confidence_level);
    // The experiment's order (HDF5 lists groups by name).
    std::vector<std::string> names;
    for (const auto& o : layout.robustness)
        names.push_back(o.name);
    write_attribute(root, "objectives", std::span<const std::string>(names));
    // Two scales of the same names: netCDF and xarray refuse a dimension used twice, so the
    // dominance matrix is (policy, versus).
    write_string_array(root, "policy", policies, dimension_scale_creation_list());
    write_string_array(root, "versus", policies, dimension_scale_creation_list());
    auto policy = h5_dataset(H5Dopen2(root, "policy", H5P_DEFAULT), "opening /robustness/policy");
    check_h5(H5DSset_scale(policy, "policy"), "making policy a dimension scale");
    auto versus = h5_dataset(H5Dopen2(root, "versus", H5P_DEFAULT), "opening /robustness/versus");
    check_h5(H5DSset_scale(versus, "versus"), "making versus a dimension scale");
    write_attribute(versus, "long_name",
                    std::string("the policy compared with: dominance_*[policy, versus] is about "
                                "policy being better than versus"));
    auto qlevel =
        h5_dataset(H5Dopen2(file, "quantile_level", H5P_DEFAULT), "opening /quantile_level");
    DimensionScaleAttacher scales;
    std::vector<Hdf5Handle> thresholds; // each objective's scale, open until scales.finish()
    auto dataset = [&](hid_t g, const char* name) {
        return h5_dataset(H5Dopen2(g, name, H5P_DEFAULT), std::string("opening ") + name);
    };

    for (std::size_t o = 0; o < results.size(); ++o) {
        const auto& ob = layout.robustness[o];
        const auto& r = results[o];
        const std::size_t nt = ob.thresholds.size();
        if (r.regret.size() != p || r.counts.size() != stats::robustness_count_size(p, nt))
            throw std::logic_error("write_robustness: sizes do not match the layout");
        const auto& out = layout.outputs[ob.output];
        auto g = create_group(root, ob.name);
        write_attribute(g, "output", out.name);
        if (out.per_year)
            write_attribute(g, "year", static_cast<std::int64_t>(layout.years[ob.year_index]));
        write_attribute(g, "better", std::string(ob.higher_is_better ? "higher" : "lower"));
        write_attribute(g, "units", out.units);
        write_attribute(g, "n_samples", static_cast<std::int64_t>(samples));

        std::vector<double> mean, sd, mn, mx, q;
        std::vector<std::uint64_t> n_finite, n_non_finite;
        for (const auto& s : r.regret) {
            mean.push_back(s.mean);
            sd.push_back(s.std_dev);
            mn.push_back(s.min);
            mx.push_back(s.max);
            q.insert(q.end(), s.quantiles.begin(), s.quantiles.end());
            n_finite.push_back(s.n_finite);
            n_non_finite.push_back(s.n_non_finite);
        }
        const std::vector<hsize_t> pdim{p}, pq{p, nq}, pp{p, p}, tp{nt, p};
        write_dataset(g, "regret_mean", std::span<const double>(mean), pdim);
        write_dataset(g, "regret_std", std::span<const double>(sd), pdim);
        write_dataset(g, "regret_min", std::span<const double>(mn), pdim);
        write_dataset(g, "regret_max", std::span<const double>(mx), pdim);
        write_dataset(g, "regret_quantiles", std::span<const double>(q), pq);
        write_dataset(g, "regret_n_finite", std::span<const std::uint64_t>(n_finite), pdim);
        write_dataset(g, "regret_n_non_finite", std::span<const std::uint64_t>(n_non_finite), pdim);
        const auto mean_rank = ranks_ascending(mean), minimax_rank = ranks_ascending(mx);
        write_dataset(g, "mean_regret_rank", std::span<const std::int64_t>(mean_rank), pdim);
        write_dataset(g, "minimax_regret_rank", std::span<const std::int64_t>(minimax_rank), pdim);

        auto share = [&](std::uint64_t k, double& x, double& low, double& high) {
            const auto ci = stats::wilson_interval(k, samples, z);
            x = samples == 0 ? std::nan("") : static_cast<double>(k) / samples;
            low = ci.low;
            high = ci.high;
        };
        auto write_shares = [&](const std::string& stem, std::span<const std::uint64_t> counts,
                                const std::vector<hsize_t>& dims) {
            std::vector<double> x(counts.size()), low(counts.size()), high(counts.size());
            for (std::size_t i = 0; i < counts.size(); ++i)
                share(counts[i], x[i], low[i], high[i]);
            write_dataset(g, stem + "_count", counts, dims);
            write_dataset(g, stem + "_share", std::span<const double>(x), dims);
            write_dataset(g, stem + "_low", std::span<const double>(low), dims);
            write_dataset(g, stem + "_high", std::span<const double>(high), dims);
        };
        const std::span<const std::uint64_t> counts(r.counts);
        if (nt > 0) {
            write_dataset(g, "threshold", std::span<const double>(ob.thresholds),
                          std::vector<hsize_t>{nt}, dimension_scale_creation_list());
            thresholds.push_back(dataset(g, "threshold"));
            check_h5(H5DSset_scale(thresholds.back(), "threshold"),
                     "making threshold a dimension scale");
            write_shares("satisficing", counts.first(nt * p), tp);
        }
        write_shares("dominance", counts.subspan(nt * p, p * p), pp);
        write_shares("best", counts.subspan(nt * p + p * p, p), pdim);

        for (const char* name :
             {"regret_mean", "regret_std", "regret_min", "regret_max", "regret_n_finite",
              "regret_n_non_finite", "mean_regret_rank", "minimax_regret_rank", "best_count",
              "best_share", "best_low", "best_high"}) {
            auto ds = dataset(g, name);
            scales.attach(ds, {policy});
        }
        for (const char* name :
             {"dominance_count", "dominance_share", "dominance_low", "dominance_high"}) {
            auto ds = dataset(g, name);
            scales.attach(ds, {policy, versus});
        }
        if (nt > 0)
            for (const char* name : {"satisficing_count", "satisficing_share", "satisficing_low",
                                     "satisficing_high"}) {
                auto ds = dataset(g, name);
                scales.attach(ds, {thresholds.back(), policy});
            }
        {
            auto ds = dataset(g, "regret_quantiles");
            scales.attach(ds, {policy, qlevel});
        }
    }
    scales.finish();
    thresholds.clear();
    qlevel.close("/quantile_level");
    versus.close("/robustness/versus");
    policy.close("/robustness/policy");
    root.close("/robustness");
    file.close(path);
}

} // namespace chiprace::io
