#include "chiprace/io/raw_row_reader.hpp"

#include "chiprace/io/hdf5_write.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace chiprace::io {

namespace {

std::vector<hsize_t> dimensions(hid_t parent, const std::string& name) {
    auto ds = h5_dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening " + name);
    auto space = h5_space(H5Dget_space(ds), "dataspace of " + name);
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0)
        throw RuntimeFailure("HDF5: the shape of " + name + " cannot be read");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

std::string shape_text(const std::vector<hsize_t>& dims) {
    std::string s = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(dims[i]);
    }
    return s + ")";
}

} // namespace

RawRowReader::RawRowReader(const std::string& path)
    : path_(path),
      file_(h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path)) {
    if (!link_exists(file_, "inputs"))
        throw RuntimeFailure(path + ": no per-sample rows (/inputs)");
    // /inputs lists its datasets alphabetically; the parameter order is the experiment's.
    const auto resolved = nlohmann::json::parse(read_string_dataset(file_, "config_resolved"),
                                                nullptr, /*allow_exceptions=*/false);
    if (resolved.is_discarded() || !resolved.contains("parameters") ||
        !resolved["parameters"].is_array())
        throw RuntimeFailure(path + ": /config_resolved has no \"parameters\" array");
    if (resolved.contains("output") && resolved["output"].contains("keep"))
        for (const auto& k : resolved["output"]["keep"])
            if (k.is_string())
                kept_.push_back(k.get<std::string>());
    for (const auto& p : resolved["parameters"]) {
        if (!p.contains("name") || !p["name"].is_string())
            throw RuntimeFailure(path + ": a parameter of /config_resolved has no name");
        inputs_.push_back(p["name"].get<std::string>());
    }
    auto inputs = h5_group(H5Gopen2(file_, "inputs", H5P_DEFAULT), "opening /inputs");
    auto stored = list_links(inputs);
    auto expected = inputs_;
    std::sort(stored.begin(), stored.end());
    std::sort(expected.begin(), expected.end());
    if (stored != expected)
        throw RuntimeFailure(path + ": the datasets of /inputs are not the parameters of "
                                    "/config_resolved");
    if (inputs_.empty())
        throw RuntimeFailure(path + ": /inputs is empty");
    rows_ = dimensions(inputs, inputs_.front()).at(0);
    for (const auto& name : inputs_)
        if (const auto dims = dimensions(inputs, name); dims.size() != 1 || dims[0] != rows_)
            throw RuntimeFailure(path + ": /inputs/" + name + " has shape " + shape_text(dims) +
                                 ", not (" + std::to_string(rows_) + ")");

    if (link_exists(file_, "time"))
        for (const auto y : read_int_dataset(file_, "time"))
            years_.push_back(static_cast<int>(y));

    std::vector<std::string> groups;
    if (link_exists(file_, "outputs"))
        groups.emplace_back();
    if (link_exists(file_, "policies")) {
        auto policies = h5_group(H5Gopen2(file_, "policies", H5P_DEFAULT), "opening /policies");
        for (const auto& p : list_links(policies))
            if (link_exists(file_, "policies/" + p + "/outputs"))
                groups.push_back("policies/" + p);
    }
    for (const auto& group : groups) {
        RawGroup g{group, {}};
        const std::string where = group.empty() ? "outputs" : group + "/outputs";
        auto outputs = h5_group(H5Gopen2(file_, where.c_str(), H5P_DEFAULT), "opening " + where);
        for (const auto& name : list_links(outputs)) {
            const auto dims = dimensions(outputs, name);
            const bool per_year = dims.size() == 2;
            if (dims.empty() || dims[0] != rows_ || dims.size() > 2 ||
                (per_year && dims[1] != years_.size()))
                throw RuntimeFailure(path + ": /" + where + "/" + name + " has shape " +
                                     shape_text(dims) +
                                     ", not (N) or (N, T) with N = " + std::to_string(rows_) +
                                     " and T = " + std::to_string(years_.size()));
            RawOutput out{name, "1", per_year};
            auto ds = h5_dataset(H5Dopen2(outputs, name.c_str(), H5P_DEFAULT), "opening " + name);
            if (has_attribute(ds, "units"))
                out.units = read_string_attribute(ds, "units");
            g.outputs.push_back(std::move(out));
        }
        groups_.push_back(std::move(g));
    }
    if (groups_.empty())
        throw RuntimeFailure(path + ": no per-sample outputs (/outputs or /policies/*/outputs)");
}

void RawRowReader::read_column(const std::string& dataset, std::size_t t, bool two_dimensional,
                               std::uint64_t first, std::span<double> out) const {
    if (first > rows_ || out.size() > rows_ - first)
        throw std::invalid_argument("RawRowReader: rows outside the file's");
    if (out.empty())
        return;
    auto ds = h5_dataset(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), "opening " + dataset);
    auto file_space = h5_space(H5Dget_space(ds), "dataspace of " + dataset);
    const hsize_t n = out.size();
    auto mem_space = h5_space(H5Screate_simple(1, &n, nullptr), "memory dataspace");
    if (two_dimensional) {
        const hsize_t start[2] = {first, t}, count[2] = {n, 1};
        check_h5(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
                 "selecting a column of " + dataset);
    } else {
        const hsize_t start[1] = {first}, count[1] = {n};
        check_h5(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
                 "selecting rows of " + dataset);
    }
    // Outputs stored as float32 (precision = "float32") are widened by HDF5.
    check_h5(H5Dread(ds, H5T_NATIVE_DOUBLE, mem_space, file_space, H5P_DEFAULT, out.data()),
             "reading " + path_ + ":" + dataset);
}

void RawRowReader::read_input(std::size_t k, std::span<double> out) const {
    if (out.size() != rows_)
        throw std::invalid_argument("RawRowReader: a buffer of the wrong length");
    read_input_rows(k, 0, out);
}

void RawRowReader::read_input_rows(std::size_t k, std::uint64_t first,
                                   std::span<double> out) const {
    std::string dataset = "/inputs/";
    dataset += inputs_.at(k);
    read_column(dataset, 0, false, first, out);
}

std::string RawRowReader::output_dataset(const std::string& group, const RawOutput& output) {
    std::string dataset = "/";
    if (!group.empty()) {
        dataset += group;
        dataset += '/';
    }
    dataset += "outputs/";
    dataset += output.name;
    return dataset;
}

void RawRowReader::read_output(const std::string& group, const RawOutput& output, std::size_t t,
                               std::span<double> out) const {
    if (out.size() != rows_)
        throw std::invalid_argument("RawRowReader: a buffer of the wrong length");
    read_output_rows(group, output, t, 0, out);
}

void RawRowReader::read_output_rows(const std::string& group, const RawOutput& output,
                                    std::size_t t, std::uint64_t first,
                                    std::span<double> out) const {
    read_column(output_dataset(group, output), t, output.per_year, first, out);
}

} // namespace chiprace::io
