#include "chiprace/io/hdf5_handle.hpp"

#include <string_view>

namespace chiprace::io {

namespace {

/// The operating system's or MPI's own words for a failure, which HDF5 keeps only inside its
/// error stack ("... errno = 27, error message = 'File too large' ..."): the one part of the
/// stack a user can act on.
herr_t find_cause(unsigned, const H5E_error2_t* error, void* data) {
    auto* cause = static_cast<std::string*>(data);
    if (!cause->empty() || error == nullptr || error->desc == nullptr)
        return 0;
    const std::string_view desc(error->desc);
    for (const std::string_view marker : {"error message = '", "MPI error string is '"}) {
        const auto at = desc.find(marker);
        if (at == std::string_view::npos)
            continue;
        const auto begin = at + marker.size();
        const auto end = desc.find('\'', begin);
        if (end != std::string_view::npos && end > begin) {
            *cause = std::string(desc.substr(begin, end - begin));
            return 0;
        }
    }
    return 0;
}

} // namespace

std::string hdf5_failure(const std::string& what) {
    std::string cause;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_cause, &cause);
    std::string message = "HDF5: ";
    message += what;
    message += " failed";
    if (!cause.empty()) {
        message += " (";
        message += cause;
        message += ")";
    }
    return message;
}

} // namespace chiprace::io
