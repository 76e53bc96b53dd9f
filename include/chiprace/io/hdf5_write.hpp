#pragma once
// Small typed helpers over the HDF5 C API for the objects chiprace writes.

#include "chiprace/io/hdf5_handle.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace chiprace::io {

Hdf5Handle create_group(hid_t parent, const std::string& name);
/// Opens a group, creating it and any missing parents ("a/b/c").
Hdf5Handle require_group(hid_t parent, const std::string& path);

void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, std::span<const double> values);
/// A one-dimensional attribute of variable-length UTF-8 strings (one per element of an axis).
void write_attribute(hid_t object, const std::string& name, std::span<const std::string> values);

/// A one-element-free scalar dataset holding a (variable-length UTF-8) string.
void write_string_dataset(hid_t parent, const std::string& name, const std::string& text);
/// Small datasets written in one call; dims describes the shape ({} for a scalar).
/// dcpl: a dataset creation property list (dimension scales need their own, see
/// dimension_scale.hpp).
void write_dataset(hid_t parent, const std::string& name, std::span<const double> data,
                   std::span<const hsize_t> dims, hid_t dcpl = H5P_DEFAULT);
void write_dataset(hid_t parent, const std::string& name, std::span<const std::int64_t> data,
                   std::span<const hsize_t> dims, hid_t dcpl = H5P_DEFAULT);
void write_dataset(hid_t parent, const std::string& name, std::span<const std::uint64_t> data,
                   std::span<const hsize_t> dims);

/// A one-dimensional dataset of fixed-length UTF-8 strings (names along an axis).
void write_string_array(hid_t parent, const std::string& name, std::span<const std::string> values,
                        hid_t dcpl = H5P_DEFAULT);
std::vector<std::string> read_string_array(hid_t parent, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name);
/// A string attribute as a list: a scalar gives one element, a 1-D array one per element.
std::vector<std::string> read_string_list_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);
bool has_attribute(hid_t object, const std::string& name);
std::vector<double> read_double_dataset(hid_t parent, const std::string& name);
std::vector<std::int64_t> read_int_dataset(hid_t parent, const std::string& name);
std::vector<std::uint64_t> read_uint_dataset(hid_t parent, const std::string& name);
std::string read_string_dataset(hid_t parent, const std::string& name);
bool link_exists(hid_t parent, const std::string& path);
/// Names of the links in a group, in name order.
std::vector<std::string> list_links(hid_t group);

} // namespace chiprace::io
