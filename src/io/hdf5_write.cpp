#include "chiprace/io/hdf5_write.hpp"

#include <algorithm>
#include <cstring>

namespace chiprace::io {

void set_hdf5_error_printing(bool enabled) {
    if (enabled)
        H5Eset_auto2(H5E_DEFAULT, reinterpret_cast<H5E_auto2_t>(H5Eprint2), stderr);
    else
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Hdf5Handle create_group(hid_t parent, const std::string& name) {
    return h5_group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    "creating group " + name);
}

bool link_exists(hid_t parent, const std::string& path) {
    // H5Lexists needs every intermediate link to exist, so walk the path.
    std::size_t pos = 0;
    while (true) {
        const auto slash = path.find('/', pos);
        const std::string prefix = path.substr(0, slash);
        if (!prefix.empty() && H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0)
            return false;
        if (slash == std::string::npos)
            return true;
        pos = slash + 1;
    }
}

std::vector<std::string> list_links(hid_t group) {
    std::vector<std::string> names;
    H5G_info_t info;
    check_h5(H5Gget_info(group, &info), "listing a group");
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len < 0)
            throw RuntimeFailure("HDF5: reading a link name failed");
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                               H5P_DEFAULT) < 0)
            throw RuntimeFailure("HDF5: reading a link name failed");
        name.resize(static_cast<std::size_t>(len));
        names.push_back(name);
    }
    return names;
}

Hdf5Handle require_group(hid_t parent, const std::string& path) {
    std::size_t pos = 0;
    while (true) {
        const auto slash = path.find('/', pos);
        const std::string prefix = path.substr(0, slash);
        if (!prefix.empty() && H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0)
            create_group(parent, prefix);
        if (slash == std::string::npos)
            break;
        pos = slash + 1;
    }
    return h5_group(H5Gopen2(parent, path.c_str(), H5P_DEFAULT), "opening group " + path);
}

namespace {

Hdf5Handle fixed_string_type(std::size_t length) {
    auto type = h5_type(H5Tcopy(H5T_C_S1), "string type");
    check_h5(H5Tset_size(type, std::max<std::size_t>(1, length)), "string size");
    check_h5(H5Tset_strpad(type, H5T_STR_NULLTERM), "string padding");
    check_h5(H5Tset_cset(type, H5T_CSET_UTF8), "string charset");
    return type;
}

void write_attribute_raw(hid_t object, const std::string& name, hid_t mem_type, hid_t space,
                         const void* data, hid_t file_type) {
    if (H5Aexists(object, name.c_str()) > 0)
        check_h5(H5Adelete(object, name.c_str()), "replacing attribute " + name);
    auto attr =
        h5_attribute(H5Acreate2(object, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                     "creating attribute " + name);
    check_h5(H5Awrite(attr, mem_type, data), "writing attribute " + name);
}

template <class T>
void write_numeric_dataset(hid_t parent, const std::string& name, std::span<const T> data,
                           std::span<const hsize_t> dims, hid_t mem_type, hid_t file_type,
                           hid_t dcpl) {
    auto space =
        dims.empty()
            ? h5_space(H5Screate(H5S_SCALAR), "dataspace")
            : h5_space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                       "dataspace");
    auto ds = h5_dataset(
        H5Dcreate2(parent, name.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
        "creating dataset " + name);
    if (!data.empty())
        check_h5(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
                 "writing dataset " + name);
}

} // namespace

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
    auto type = fixed_string_type(value.size() + 1);
    auto space = h5_space(H5Screate(H5S_SCALAR), "dataspace");
    write_attribute_raw(object, name, type, space, value.c_str(), type);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
    auto space = h5_space(H5Screate(H5S_SCALAR), "dataspace");
    write_attribute_raw(object, name, H5T_NATIVE_INT64, space, &value, H5T_STD_I64LE);
}

void write_attribute(hid_t object, const std::string& name, double value) {
    auto space = h5_space(H5Screate(H5S_SCALAR), "dataspace");
    write_attribute_raw(object, name, H5T_NATIVE_DOUBLE, space, &value, H5T_IEEE_F64LE);
}

void write_attribute(hid_t object, const std::string& name, std::span<const double> values) {
    const hsize_t n = values.size();
    auto space = h5_space(H5Screate_simple(1, &n, nullptr), "dataspace");
    write_attribute_raw(object, name, H5T_NATIVE_DOUBLE, space, values.data(), H5T_IEEE_F64LE);
}

void write_string_dataset(hid_t parent, const std::string& name, const std::string& text) {
    auto type = h5_type(H5Tcopy(H5T_C_S1), "string type");
    check_h5(H5Tset_size(type, H5T_VARIABLE), "string size");
    check_h5(H5Tset_cset(type, H5T_CSET_UTF8), "string charset");
    auto space = h5_space(H5Screate(H5S_SCALAR), "dataspace");
    auto ds = h5_dataset(
        H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        "creating dataset " + name);
    const char* ptr = text.c_str();
    check_h5(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &ptr), "writing dataset " + name);
}

void write_dataset(hid_t parent, const std::string& name, std::span<const double> data,
                   std::span<const hsize_t> dims, hid_t dcpl) {
    write_numeric_dataset(parent, name, data, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dcpl);
}
void write_dataset(hid_t parent, const std::string& name, std::span<const std::int64_t> data,
                   std::span<const hsize_t> dims, hid_t dcpl) {
    write_numeric_dataset(parent, name, data, dims, H5T_NATIVE_INT64, H5T_STD_I64LE, dcpl);
}
void write_dataset(hid_t parent, const std::string& name, std::span<const std::uint64_t> data,
                   std::span<const hsize_t> dims) {
    write_numeric_dataset(parent, name, data, dims, H5T_NATIVE_UINT64, H5T_STD_U64LE, H5P_DEFAULT);
}

bool has_attribute(hid_t object, const std::string& name) {
    return H5Aexists(object, name.c_str()) > 0;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
    auto attr =
        h5_attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    auto type = h5_type(H5Aget_type(attr), "attribute type");
    if (H5Tget_class(type) != H5T_STRING)
        throw RuntimeFailure("attribute " + name + " is not a string");
    if (H5Tis_variable_str(type) > 0) {
        auto mem = h5_type(H5Tcopy(H5T_C_S1), "string type");
        check_h5(H5Tset_size(mem, H5T_VARIABLE), "string size");
        char* ptr = nullptr;
        check_h5(H5Aread(attr, mem, &ptr), "reading attribute " + name);
        std::string out = ptr ? ptr : "";
        H5free_memory(ptr);
        return out;
    }
    const std::size_t size = H5Tget_size(type);
    std::string buf(size, '\0');
    auto mem = fixed_string_type(size);
    check_h5(H5Aread(attr, mem, buf.data()), "reading attribute " + name);
    return buf.substr(0, buf.find('\0'));
}

std::vector<std::string> read_string_list_attribute(hid_t object, const std::string& name) {
    auto attr =
        h5_attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    auto type = h5_type(H5Aget_type(attr), "attribute type");
    auto space = h5_space(H5Aget_space(attr), "attribute dataspace");
    if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_ndims(space) > 1)
        throw RuntimeFailure("attribute " + name + " is not a string or a list of strings");
    if (H5Sget_simple_extent_ndims(space) == 0)
        return {read_string_attribute(object, name)};
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<std::string> out;
    if (H5Tis_variable_str(type) > 0) {
        auto mem = h5_type(H5Tcopy(H5T_C_S1), "string type");
        check_h5(H5Tset_size(mem, H5T_VARIABLE), "string size");
        std::vector<char*> ptrs(n, nullptr);
        check_h5(H5Aread(attr, mem, ptrs.data()), "reading attribute " + name);
        for (auto* p : ptrs) {
            out.emplace_back(p ? p : "");
            H5free_memory(p);
        }
        return out;
    }
    const std::size_t size = H5Tget_size(type);
    std::string buf(size * n, '\0');
    auto mem = fixed_string_type(size);
    check_h5(H5Aread(attr, mem, buf.data()), "reading attribute " + name);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string one = buf.substr(i * size, size);
        out.push_back(one.substr(0, one.find('\0')));
    }
    return out;
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
    auto attr =
        h5_attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    std::int64_t v = 0;
    check_h5(H5Aread(attr, H5T_NATIVE_INT64, &v), "reading attribute " + name);
    return v;
}

namespace {
template <class T>
std::vector<T> read_numeric(hid_t parent, const std::string& name, hid_t mem_type) {
    auto ds = h5_dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
    auto space = h5_space(H5Dget_space(ds), "dataspace");
    const auto n = H5Sget_simple_extent_npoints(space);
    if (n < 0)
        throw RuntimeFailure("HDF5: size of " + name);
    std::vector<T> out(static_cast<std::size_t>(n));
    if (n > 0)
        check_h5(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                 "reading dataset " + name);
    return out;
}
} // namespace

std::vector<double> read_double_dataset(hid_t parent, const std::string& name) {
    return read_numeric<double>(parent, name, H5T_NATIVE_DOUBLE);
}

std::vector<std::int64_t> read_int_dataset(hid_t parent, const std::string& name) {
    return read_numeric<std::int64_t>(parent, name, H5T_NATIVE_INT64);
}

std::vector<std::uint64_t> read_uint_dataset(hid_t parent, const std::string& name) {
    return read_numeric<std::uint64_t>(parent, name, H5T_NATIVE_UINT64);
}

std::string read_string_dataset(hid_t parent, const std::string& name) {
    auto ds = h5_dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
    auto mem = h5_type(H5Tcopy(H5T_C_S1), "string type");
    check_h5(H5Tset_size(mem, H5T_VARIABLE), "string size");
    // HDF5 converts no character set into another: read in the one the dataset was written in.
    auto stored = h5_type(H5Dget_type(ds), "type of " + name);
    check_h5(H5Tset_cset(mem, H5Tget_cset(stored)), "string charset");
    char* ptr = nullptr;
    check_h5(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, &ptr), "reading dataset " + name);
    std::string out = ptr ? ptr : "";
    H5free_memory(ptr);
    return out;
}

// Variable-length UTF-8: the netCDF library of Debian 12 (4.9.0, Unidata/netcdf-c#2159)
// crashes on a dimension scale of fixed-length strings, so xarray could not open the root group
// of a file with /parameter. Readers accept both (files before 0.1.0's release used fixed).
Hdf5Handle variable_string_type() {
    auto type = h5_type(H5Tcopy(H5T_C_S1), "string type");
    check_h5(H5Tset_size(type, H5T_VARIABLE), "variable string length");
    check_h5(H5Tset_cset(type, H5T_CSET_UTF8), "string character set");
    return type;
}

namespace {

/// What HDF5 reads for variable-length strings: one C string pointer per value.
std::vector<const char*> c_strings(std::span<const std::string> values) {
    std::vector<const char*> pointers;
    for (const auto& v : values)
        pointers.push_back(v.c_str());
    return pointers;
}

} // namespace

void write_attribute(hid_t object, const std::string& name, std::span<const std::string> values) {
    const auto pointers = c_strings(values);
    auto type = variable_string_type();
    const hsize_t n = values.size();
    auto space = h5_space(H5Screate_simple(1, &n, nullptr), "dataspace of " + name);
    write_attribute_raw(object, name, type, space, pointers.data(), type);
}

void write_string_array(hid_t parent, const std::string& name, std::span<const std::string> values,
                        hid_t dcpl) {
    const auto pointers = c_strings(values);
    auto type = variable_string_type();
    const hsize_t n = values.size();
    auto space = h5_space(H5Screate_simple(1, &n, nullptr), "dataspace of " + name);
    auto ds =
        h5_dataset(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                   "creating " + name);
    if (n > 0)
        check_h5(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
                 "writing " + name);
}

std::vector<std::string> read_string_array(hid_t parent, const std::string& name) {
    auto ds = h5_dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening " + name);
    auto type = h5_type(H5Dget_type(ds), "type of " + name);
    if (H5Tget_class(type) != H5T_STRING)
        throw RuntimeFailure(name + " is not an array of strings");
    auto space = h5_space(H5Dget_space(ds), "dataspace of " + name);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<std::string> out;
    if (n == 0)
        return out;
    if (H5Tis_variable_str(type) > 0) {
        auto mem = variable_string_type();
        std::vector<char*> pointers(n, nullptr);
        check_h5(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
                 "reading " + name);
        for (const char* p : pointers)
            out.emplace_back(p != nullptr ? p : "");
        H5Dvlen_reclaim(mem, space, H5P_DEFAULT, pointers.data());
        return out;
    }
    const std::size_t width = H5Tget_size(type);
    std::vector<char> packed(width * n, '\0');
    check_h5(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()), "reading " + name);
    for (std::size_t i = 0; i < n; ++i) {
        const char* p = packed.data() + i * width;
        out.emplace_back(p, strnlen(p, width));
    }
    return out;
}

} // namespace chiprace::io
