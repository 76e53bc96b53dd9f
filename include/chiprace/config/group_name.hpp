#pragma once
// Names that the user gives and the result file uses as HDF5 group or dataset names.

#include <algorithm>
#include <cctype>
#include <string_view>

namespace chiprace::config {

/// 1 to 64 letters, digits, '_', '-' or '.', not starting with '.': no path separators, and
/// never "." or "..", which HDF5 reads as the current group.
inline bool valid_group_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                      c == '.';
           });
}

} // namespace chiprace::config
