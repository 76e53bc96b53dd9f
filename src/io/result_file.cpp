#include "chiprace/io/result_file.hpp"

#include "chiprace/io/dimension_scale.hpp"
#include "chiprace/io/durable_rename.hpp"
#include "chiprace/io/exclusive_file.hpp"
#include "chiprace/io/hdf5_write.hpp"
#include "chiprace/stats/calibration_weights.hpp"
#include "chiprace/stats/event_count.hpp"
#include "chiprace/stats/interval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <hdf5_hl.h>

namespace chiprace::io {

namespace {

void write_attributes(hid_t object, const std::vector<Attribute>& attributes) {
    for (const auto& a : attributes)
        std::visit([&](const auto& v) { write_attribute(object, a.name, v); }, a.value);
}

/// The root group's object header is HDF5's default (version 1, made by H5Fcreate), where one
/// attribute may not exceed 64 KiB. Only command_line can come near that (a script's thousand
/// --set overrides); what it set is in /config_resolved, so its tail is dropped, and said so.
std::vector<Attribute> fit_root_attributes(std::vector<Attribute> attributes) {
    constexpr std::size_t limit = 60000;
    for (auto& a : attributes)
        if (auto* text = std::get_if<std::string>(&a.value); text && text->size() > limit) {
            std::size_t keep = limit - 200;
            while (keep > 0 && (static_cast<unsigned char>((*text)[keep]) & 0xC0) == 0x80)
                --keep; // not inside a UTF-8 character
            const std::string note = " ... [" + std::to_string(text->size() - keep) +
                                     " more bytes not kept; the experiment as run is in "
                                     "/config_resolved]";
            text->resize(keep);
            *text += note;
        }
    return attributes;
}

/// Chunks of about 1 MiB (compressed datasets): large enough for efficient parallel writes,
/// small enough that a reader of a few rows does not decompress the whole dataset.
hsize_t chunk_rows(std::uint64_t n_rows, std::size_t width) {
    const hsize_t target = (hsize_t{1} << 17) / std::max<std::size_t>(1, width);
    return std::max<hsize_t>(1, std::min<hsize_t>(n_rows, target));
}

Hdf5Handle create_row_dataset(hid_t parent, const std::string& name, std::uint64_t n_rows,
                              std::size_t width, int compression, hid_t type) {
    const hsize_t dims[2] = {n_rows, width};
    const int rank = width == 0 ? 1 : 2;
    auto space = h5_space(H5Screate_simple(rank, dims, nullptr), "dataspace of " + name);
    auto dcpl = h5_plist(H5Pcreate(H5P_DATASET_CREATE), "dataset creation list");
    // Filters need chunks; without them a contiguous dataset is faster to write collectively
    // (measured: a 942 MB raw run on 2 ranks took 20-25% less time than with 1 MiB chunks).
    if (compression > 0) {
        const hsize_t chunk[2] = {chunk_rows(n_rows, std::max<std::size_t>(1, width)), width};
        check_h5(H5Pset_chunk(dcpl, rank, chunk), "chunking " + name);
    }
    // Parallel HDF5 writes need the storage allocated up front; rows are always written, so
    // no fill value either.
    check_h5(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "allocation time of " + name);
    check_h5(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "fill time of " + name);
    // A version-2 object header, whose attributes move to dense storage when one outgrows
    // 64 KiB: an input's distribution attribute lists every value of a discrete distribution.
    check_h5(H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED),
             "attribute creation order of " + name);
    if (compression > 0) {
        // Byte shuffle first: it groups the exponent bytes of neighbouring doubles, which is
        // what makes model outputs compress. Parallel HDF5 writes filtered datasets only
        // collectively, which is how RawRowWriter writes.
        check_h5(H5Pset_shuffle(dcpl), "shuffle filter of " + name);
        check_h5(H5Pset_deflate(dcpl, static_cast<unsigned>(compression)), "deflate of " + name);
    }
    return h5_dataset(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "creating dataset " + name);
}

/// A per-run int32 column filled piece by piece, so memory stays bounded for any N.
void write_run_column(hid_t parent, const RootMetadata::RunColumn& column, std::uint64_t n_runs) {
    const hsize_t n = n_runs;
    auto space = h5_space(H5Screate_simple(1, &n, nullptr), "dataspace of " + column.name);
    auto dcpl = h5_plist(H5Pcreate(H5P_DATASET_CREATE), "dataset creation list");
    const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(n, hsize_t{1} << 18));
    check_h5(H5Pset_chunk(dcpl, 1, &chunk), "chunking " + column.name);
    check_h5(H5Pset_deflate(dcpl, 1), "deflate of " + column.name);
    auto ds = h5_dataset(H5Dcreate2(parent, column.name.c_str(), H5T_STD_I32LE, space, H5P_DEFAULT,
                                    dcpl, H5P_DEFAULT),
                         "creating /design/" + column.name);
    std::vector<std::int32_t> buffer(static_cast<std::size_t>(chunk));
    for (hsize_t first = 0; first < n; first += chunk) {
        const hsize_t count = std::min<hsize_t>(chunk, n - first);
        column.fill(first, std::span(buffer).first(static_cast<std::size_t>(count)));
        auto file_space = h5_space(H5Dget_space(ds), "dataspace");
        check_h5(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &first, nullptr, &count, nullptr),
                 "selecting runs");
        auto mem_space = h5_space(H5Screate_simple(1, &count, nullptr), "memory dataspace");
        check_h5(H5Dwrite(ds, H5T_NATIVE_INT32, mem_space, file_space, H5P_DEFAULT, buffer.data()),
                 "writing /design/" + column.name);
    }
    write_attribute(ds, "description", column.description);
    write_attribute(ds, "long_name", column.description);
    write_attribute(ds, "units", std::string("1"));
}

void describe(hid_t object, const std::string& units, const std::string& description) {
    write_attribute(object, "units", units.empty() ? std::string("1") : units);
    write_attribute(object, "long_name", description);
    write_attribute(object, "description", description);
}

/// /policy_sweeps/<name> (the axes, each cell's policy and coordinates) and, on each cell's
/// /policies/<cell> group, the sweep and the value of each swept lever.
void write_policy_sweeps(hid_t file, const ResultLayout& layout) {
    if (layout.policy_sweeps.empty())
        return;
    auto all = create_group(file, "policy_sweeps");
    write_attribute(all, "description",
                    std::string("grids over policy levers; each cell is a policy of the run"));
    for (const auto& sweep : layout.policy_sweeps) {
        auto g = create_group(all, sweep.name);
        write_attribute(g, "kind", std::string(sweep.sampled ? "latin_hypercube" : "grid"));
        if (sweep.sampled)
            write_attribute(g, "seed", sweep.seed);
        write_attribute(g, "based_on", sweep.based_on);
        write_attribute(g, "description", sweep.description);
        write_attribute(g, "axes", std::span<const std::string>(sweep.levers));
        write_attribute(g, "n_cells", static_cast<std::int64_t>(sweep.cells.size()));
        for (std::size_t a = 0; a < sweep.levers.size(); ++a) {
            const hsize_t n = sweep.values[a].size();
            write_dataset(g, sweep.levers[a], std::span<const double>(sweep.values[a]),
                          std::span(&n, 1));
        }
        write_string_array(g, "cell", sweep.cells);
        std::vector<double> coordinates;
        for (const auto& c : sweep.coordinates)
            coordinates.insert(coordinates.end(), c.begin(), c.end());
        const hsize_t dims[2] = {sweep.cells.size(), sweep.levers.size()};
        write_dataset(g, "coordinates", std::span<const double>(coordinates), std::span(dims));
        {
            auto ds = h5_dataset(H5Dopen2(g, "coordinates", H5P_DEFAULT), "opening coordinates");
            write_attribute(ds, "description",
                            std::string("value of each swept lever (columns, in the order of "
                                        "the axes attribute) in each cell (rows, as in cell)"));
        }
        for (std::size_t c = 0; c < sweep.cells.size(); ++c) {
            auto policy = require_group(file, "policies/" + sweep.cells[c]);
            write_attribute(policy, "sweep", sweep.name);
            for (std::size_t a = 0; a < sweep.levers.size(); ++a)
                write_attribute(policy, "sweep_" + sweep.levers[a], sweep.coordinates[c][a]);
        }
    }
}

/// /calibration as the run starts: the targets (docs/file-format.md, "Calibration").
void write_calibration_targets(hid_t file, const ResultLayout& layout) {
    if (!layout.calibration)
        return;
    const auto& c = *layout.calibration;
    auto g = create_group(file, "calibration");
    write_attribute(g, "description",
                    std::string("importance weights of the futures by the likelihood of what was "
                                "observed (docs/calibration.md)"));
    write_attribute(g, "min_ess", c.min_ess);
    write_attribute(g, "on_low_ess", std::string(c.refuse_low_ess ? "error" : "warn"));
    write_attribute(g, "weight_resolution", 1.0 / stats::weight_units_per_one);
    std::vector<std::string> name, output, policy, observation, source;
    std::vector<std::int64_t> year;
    std::vector<double> parameters;
    for (const auto& t : c.targets) {
        name.push_back(t.name);
        output.push_back(t.output);
        policy.push_back(t.policy);
        observation.push_back(t.observation);
        source.push_back(t.source);
        year.push_back(t.year);
        parameters.insert(parameters.end(), std::begin(t.parameters), std::end(t.parameters));
    }
    write_attribute(g, "n_targets", static_cast<std::int64_t>(c.targets.size()));
    if (c.targets.empty())
        return; // HDF5 has no empty string arrays worth reading: n_targets says 0
    write_string_array(g, "target", name);
    write_string_array(g, "output", output);
    write_string_array(g, "policy", policy);
    write_string_array(g, "observation", observation);
    write_string_array(g, "source", source);
    const hsize_t n = c.targets.size();
    write_dataset(g, "year", std::span<const std::int64_t>(year), std::span(&n, 1));
    const hsize_t dims[2] = {n, 3};
    write_dataset(g, "observation_parameters", std::span<const double>(parameters),
                  std::span(dims));
    auto ds = h5_dataset(H5Dopen2(g, "observation_parameters", H5P_DEFAULT),
                         "opening observation_parameters");
    write_attribute(ds, "description",
                    std::string("normal: mean, sd, NaN; lognormal: p05, p95, NaN; interval: low, "
                                "high, tolerance"));
}

} // namespace

void create_result_file(const std::string& path, const ResultLayout& layout,
                        const RootMetadata& metadata) {
    // H5F_ACC_TRUNC would follow a symbolic link and truncate its target; EXCL (O_EXCL)
    // refuses any existing name, so a leftover regular file is removed first.
    clear_for_exclusive_creation(path);
    auto file = h5_file(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT),
                        "creating " + path);
    write_attributes(file, fit_root_attributes(metadata.attributes));
    write_string_dataset(file, "config", metadata.config_text);
    write_string_dataset(file, "config_resolved", metadata.config_resolved);
    if (!metadata.included.empty()) {
        auto inc = create_group(file, "config_included");
        write_attribute(inc, "description",
                        std::string("text of each file the experiment included, in include order"));
        for (std::size_t i = 0; i < metadata.included.size(); ++i) {
            const std::string name = std::to_string(i);
            write_string_dataset(inc, name, metadata.included[i].second);
            auto ds = h5_dataset(H5Dopen2(inc, name.c_str(), H5P_DEFAULT), "opening include text");
            write_attribute(ds, "path", metadata.included[i].first);
        }
    }

    {
        auto design = create_group(file, "design");
        write_attributes(design, metadata.design);
        if (layout.store_raw)
            for (const auto& column : metadata.design_runs)
                write_run_column(design, column, layout.n_samples);
    }
    Hdf5Handle time;
    if (!layout.years.empty()) {
        std::vector<std::int64_t> years(layout.years.begin(), layout.years.end());
        const hsize_t t = years.size();
        write_dataset(file, "time", std::span<const std::int64_t>(years), std::span(&t, 1),
                      dimension_scale_creation_list());
        time = h5_dataset(H5Dopen2(file, "time", H5P_DEFAULT), "opening /time");
        check_h5(H5DSset_scale(time, "time"), "making /time a dimension scale");
        write_attribute(time, "units", std::string("year"));
        write_attribute(time, "long_name", std::string("calendar year (end-of-year stocks)"));
    }
    {
        const hsize_t q = layout.quantile_levels.size();
        write_dataset(file, "quantile_level", std::span<const double>(layout.quantile_levels),
                      std::span(&q, 1), dimension_scale_creation_list());
        auto ql =
            h5_dataset(H5Dopen2(file, "quantile_level", H5P_DEFAULT), "opening /quantile_level");
        check_h5(H5DSset_scale(ql, "quantile"), "making /quantile_level a dimension scale");
        write_attribute(ql, "units", std::string("1"));
        write_attribute(ql, "long_name", std::string("probability level of each quantile"));
    }

    write_policy_sweeps(file, layout);
    write_calibration_targets(file, layout);

    if (!layout.store_raw)
        return;
    // The sample axis, as netCDF-4 names a dimension without coordinate values, so that
    // xarray and netCDF tools see (sample, time) instead of anonymous "phony" dimensions. It
    // is never written, so it takes no space.
    Hdf5Handle sample;
    {
        const hsize_t n = layout.n_samples;
        auto space = h5_space(H5Screate_simple(1, &n, nullptr), "dataspace of /sample");
        auto dcpl = dimension_scale_creation_list();
        const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(n, hsize_t{1} << 17));
        check_h5(H5Pset_chunk(dcpl, 1, &chunk), "chunking /sample");
        sample = h5_dataset(
            H5Dcreate2(file, "sample", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
            "creating /sample");
        char name[80];
        std::snprintf(name, sizeof name,
                      "This is a netCDF dimension but not a netCDF variable.%10llu",
                      static_cast<unsigned long long>(n));
        check_h5(H5DSset_scale(sample, name), "making /sample a dimension scale");
    }
    DimensionScaleAttacher scales;
    auto inputs = create_group(file, "inputs");
    write_attribute(inputs, "description",
                    std::string("sampled parameter values, one row per sample"));
    for (const auto& in : layout.inputs) {
        auto ds = create_row_dataset(inputs, in.name, layout.n_samples, 0, layout.compression,
                                     H5T_IEEE_F64LE);
        describe(ds, in.units, in.description.empty() ? in.name : in.description);
        scales.attach(ds, {sample});
        write_attribute(ds, "distribution", in.distribution);
    }
    if (layout.calibration) {
        auto c = require_group(file, "calibration");
        auto ds = create_row_dataset(c, "weight", layout.n_samples, 0, layout.compression,
                                     H5T_IEEE_F64LE);
        describe(ds, "1",
                 "each sample's importance weight: the product of its targets' likelihoods, "
                 "each scaled to 1 at its maximum");
        scales.attach(ds, {sample});
    }
    for (const auto& group : layout.variant_groups) {
        auto g = require_group(file, group.empty() ? std::string("outputs") : group + "/outputs");
        for (const auto& out : layout.outputs) {
            if (!out.kept)
                continue;
            const std::size_t width = out.per_year ? layout.years.size() : 0;
            auto ds = create_row_dataset(g, out.name, layout.n_samples, width, layout.compression,
                                         layout.single_precision ? H5T_IEEE_F32LE : H5T_IEEE_F64LE);
            describe(ds, out.units, out.description);
            if (out.per_year)
                scales.attach(ds, {sample, time});
            else
                scales.attach(ds, {sample});
        }
    }
    scales.finish();
    // Flushed while our handles are still open: a close with open objects is deferred to the
    // last handle's destructor, where a failure (a raw layout larger than the file system
    // allows: "File too large") could not be reported.
    check_h5(H5Fflush(file, H5F_SCOPE_LOCAL), "writing the new file " + path);
    file.close(path);
}

void write_summaries(const std::string& path, const ResultLayout& layout,
                     const std::vector<SummaryGroup>& groups,
                     const std::vector<Attribute>& closing_attributes) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + path);
    Hdf5Handle time;
    if (!layout.years.empty())
        time = h5_dataset(H5Dopen2(file, "time", H5P_DEFAULT), "opening /time");
    auto qlevel =
        h5_dataset(H5Dopen2(file, "quantile_level", H5P_DEFAULT), "opening /quantile_level");
    const std::size_t nq = layout.quantile_levels.size();
    const std::size_t nt = layout.years.size();
    DimensionScaleAttacher scales;
    std::vector<Hdf5Handle> event_scales; // open until scales.finish()

    for (const auto& group : groups) {
        std::size_t event_count_at = 0; // next of group.event_counts
        auto summary =
            require_group(file, group.group.empty() ? group.part : group.group + "/" + group.part);
        const bool weighted = group.part != "summary";
        std::size_t column = 0;
        for (std::size_t o = 0; o < layout.outputs.size(); ++o) {
            const auto& out = layout.outputs[o];
            if (!group.present.empty() && group.present[o] == 0)
                continue;
            const std::size_t width = out.per_year ? nt : 1;
            auto g = create_group(summary, out.name);
            describe(g, out.units, out.description);
            std::vector<double> mean, sd, mn, mx, quantiles;
            std::vector<std::uint64_t> n_finite, n_non_finite;
            for (std::size_t t = 0; t < width; ++t) {
                const auto& s = group.columns.at(column + t);
                mean.push_back(s.mean);
                sd.push_back(s.std_dev);
                mn.push_back(s.min);
                mx.push_back(s.max);
                quantiles.insert(quantiles.end(), s.quantiles.begin(), s.quantiles.end());
                n_finite.push_back(s.n_finite);
                n_non_finite.push_back(s.n_non_finite);
            }
            column += width;
            const std::vector<hsize_t> dims =
                out.per_year ? std::vector<hsize_t>{nt} : std::vector<hsize_t>{};
            std::vector<hsize_t> qdims = dims;
            qdims.push_back(nq);
            const std::pair<const char*, const std::vector<double>*> stats[] = {
                {"mean", &mean}, {"std", &sd}, {"min", &mn}, {"max", &mx}};
            for (const auto& [name, values] : stats) {
                write_dataset(g, name, std::span<const double>(*values), dims);
                auto ds = h5_dataset(H5Dopen2(g, name, H5P_DEFAULT), "opening summary");
                write_attribute(ds, "units", out.units.empty() ? std::string("1") : out.units);
                if (out.per_year)
                    scales.attach(ds, {time});
            }
            // A posterior without quantiles ([calibration] quantiles leaves the output out).
            if (!(weighted && quantiles.empty())) {
                write_dataset(g, "quantiles", std::span<const double>(quantiles), qdims);
                auto ds = h5_dataset(H5Dopen2(g, "quantiles", H5P_DEFAULT), "opening quantiles");
                write_attribute(ds, "units", out.units.empty() ? std::string("1") : out.units);
                write_attribute(ds, "relative_error_bound",
                                out.integer_valued ? 0.0 : layout.quantile_relative_error);
                write_attribute(
                    ds, "definition",
                    std::string(weighted ? "weighted lower quantile: the first value whose "
                                           "cumulative weight exceeds floor(q*(n-1))*W/n, from a "
                                           "log-linear histogram (docs/calibration.md)"
                                         : "lower sample quantile x_(floor(q*(n-1))) of the "
                                           "finite values, from a log-linear histogram"));
                if (out.per_year)
                    scales.attach(ds, {time, qlevel});
                else
                    scales.attach(ds, {qlevel});
            }
            for (const auto& [name, values] :
                 {std::pair{"n_finite", &n_finite}, std::pair{"n_non_finite", &n_non_finite}}) {
                write_dataset(g, name, std::span<const std::uint64_t>(*values), dims);
                auto ds = h5_dataset(H5Dopen2(g, name, H5P_DEFAULT), "opening summary");
                write_attribute(ds, "units", std::string("samples"));
                if (out.per_year)
                    scales.attach(ds, {time});
            }
            std::vector<const EventDescription*> events;
            for (const auto& e : out.events)
                if (!weighted && e.applies(group.contrast))
                    events.push_back(&e);
            if (events.empty())
                continue;
            const std::size_t ne = events.size();
            if (group.event_counts.size() < event_count_at + ne * width)
                throw RuntimeFailure("write_summaries: event counts missing for " + out.name);
            auto eg = create_group(g, "events");
            write_attribute(eg, "description",
                            std::string("share of every sample run whose value meets each event: "
                                        "value <comparison> threshold; NaN never meets one"));
            write_attribute(eg, "n_samples", static_cast<std::int64_t>(group.event_samples));
            write_attribute(eg, "interval", std::string("Wilson score interval"));
            write_attribute(eg, "confidence_level", event_confidence_level);
            std::vector<std::string> names, symbols, descriptions;
            std::vector<double> thresholds;
            for (const auto* e : events) {
                names.push_back(e->name);
                symbols.emplace_back(stats::comparison_symbol(e->comparison));
                descriptions.push_back(e->description);
                thresholds.push_back(e->threshold);
            }
            write_string_array(eg, "event", names, dimension_scale_creation_list());
            auto& event = event_scales.emplace_back(
                h5_dataset(H5Dopen2(eg, "event", H5P_DEFAULT), "opening event"));
            check_h5(H5DSset_scale(event, "event"), "making event a dimension scale");
            write_attribute(event, "long_name", std::string("name of each event"));
            write_attribute(event, "description", std::span<const std::string>(descriptions));
            // (T, E) for a series, as quantiles are (T, Q): years first, events last.
            std::vector<std::uint64_t> counts(width * ne);
            std::vector<double> p(width * ne), low(width * ne), high(width * ne);
            const double z = stats::normal_two_sided_z(event_confidence_level);
            for (std::size_t e = 0; e < ne; ++e)
                for (std::size_t t = 0; t < width; ++t) {
                    const auto k = group.event_counts[event_count_at + e * width + t];
                    const auto n = group.event_samples;
                    const auto ci = stats::wilson_interval(k, n, z);
                    counts[t * ne + e] = k;
                    p[t * ne + e] = n == 0 ? std::nan("") : static_cast<double>(k) / n;
                    low[t * ne + e] = ci.low;
                    high[t * ne + e] = ci.high;
                }
            event_count_at += ne * width;
            std::vector<hsize_t> edims = dims;
            edims.push_back(ne);
            write_string_array(eg, "comparison", symbols);
            write_dataset(eg, "threshold", std::span<const double>(thresholds),
                          std::vector<hsize_t>{ne});
            for (const char* name : {"comparison", "threshold"}) {
                auto ds = h5_dataset(H5Dopen2(eg, name, H5P_DEFAULT), "opening events");
                scales.attach(ds, {event});
            }
            write_dataset(eg, "count", std::span<const std::uint64_t>(counts), edims);
            const std::pair<const char*, const std::vector<double>*> shares[] = {
                {"probability", &p}, {"probability_low", &low}, {"probability_high", &high}};
            for (const auto& [name, values] : shares)
                write_dataset(eg, name, std::span<const double>(*values), edims);
            for (const char* name :
                 {"count", "probability", "probability_low", "probability_high"}) {
                auto ds = h5_dataset(H5Dopen2(eg, name, H5P_DEFAULT), "opening events");
                write_attribute(ds, "units", std::string(name[0] == 'c' ? "samples" : "1"));
                if (out.per_year)
                    scales.attach(ds, {time, event});
                else
                    scales.attach(ds, {event});
            }
        }
    }
    scales.finish();
    write_attributes(file, closing_attributes);
    check_h5(H5Fflush(file, H5F_SCOPE_GLOBAL), "flushing " + path);
    file.close(path);
}

void publish_result_file(const std::string& partial, const std::string& final_path) {
    // The data must be on disk before the name says the file is complete.
    durable_rename(partial, final_path);
}

void write_calibration(const std::string& path, const ResultLayout& layout,
                       const CalibrationResult& result) {
    {
        auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + path);
        auto d = require_group(file, "calibration/diagnostics");
        const std::pair<const char*, double> scalars[] = {
            {"ess", result.ess},
            {"ess_fraction", result.ess_fraction},
            {"sum_weights", result.sum_weights},
            {"sum_weights_squared", result.sum_weights_squared},
            {"max_weight", result.max_weight}};
        for (const auto& [name, value] : scalars)
            write_dataset(d, name, std::span(&value, 1), {});
        write_dataset(d, "n_positive", std::span(&result.n_positive, 1), {});
        const std::int64_t written = result.posterior_written ? 1 : 0;
        write_dataset(d, "posterior_written", std::span(&written, 1), {});
        const hsize_t nt = result.target_ess.size();
        write_dataset(d, "target_ess", std::span<const double>(result.target_ess),
                      std::span(&nt, 1));
        write_attribute(d, "description",
                        std::string("Kish effective sample size (sum w)^2 / sum w^2 of the "
                                    "weights, overall and for each target alone"));
        check_h5(H5Fflush(file, H5F_SCOPE_LOCAL), "flushing " + path);
        file.close(path);
    }
    // The inputs' summaries are written as a group's scalar outputs would be.
    ResultLayout inputs;
    inputs.quantile_levels = layout.quantile_levels;
    inputs.quantile_relative_error = layout.quantile_relative_error;
    for (const auto& in : layout.inputs) {
        OutputDescription o;
        o.name = in.name;
        o.units = in.units;
        o.description = in.description.empty() ? in.name : in.description;
        o.per_year = false;
        inputs.outputs.push_back(o);
    }
    std::vector<SummaryGroup> groups(2);
    groups[0].group = groups[1].group = "calibration/inputs";
    groups[0].part = "prior";
    groups[0].columns = result.prior_inputs;
    groups[1].part = "posterior";
    groups[1].columns = result.posterior_inputs;
    if (!result.posterior_written)
        groups.pop_back();
    write_summaries(path, inputs, groups, {});
}

} // namespace chiprace::io
