#pragma once
// Ownership of HDF5 identifiers: every hid_t the program opens is closed by exactly one
// destructor, whatever path leaves the scope.

#include "chiprace/core/diagnostic.hpp"

#include <hdf5.h>
#include <string>
#include <utility>

namespace chiprace::io {

/// "HDF5: WHAT failed", with the system's reason when HDF5's error stack holds one
/// ("File too large", "No space left on device"), so users need no --debug stack to act.
std::string hdf5_failure(const std::string& what);

class Hdf5Handle {
public:
    using Closer = herr_t (*)(hid_t);

    Hdf5Handle() = default;
    /// Takes ownership of id; a negative id (an HDF5 failure) throws RuntimeFailure naming what.
    Hdf5Handle(hid_t id, Closer closer, const std::string& what) : id_(id), close_(closer) {
        if (id_ < 0)
            throw RuntimeFailure(hdf5_failure(what));
    }
    Hdf5Handle(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(const Hdf5Handle&) = delete;
    Hdf5Handle(Hdf5Handle&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
    Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            close_ = other.close_;
        }
        return *this;
    }
    ~Hdf5Handle() { reset(); }

    [[nodiscard]] hid_t get() const { return id_; }
    operator hid_t() const { return id_; } // NOLINT: passes straight into the C API

    void reset() {
        if (id_ >= 0 && close_ != nullptr)
            close_(id_);
        id_ = H5I_INVALID_HID;
    }
    /// Forgets the identifier without closing it. Only for a collective object (a file opened
    /// with MPI-IO, its datasets) on a rank that fails alone: closing is collective and would
    /// wait forever for ranks that are inside another call. The process is about to end.
    void abandon() noexcept { id_ = H5I_INVALID_HID; }
    /// Closes now and reports failure (a file close is where buffered writes can fail).
    void close(const std::string& what) {
        if (id_ >= 0 && close_ != nullptr) {
            const herr_t rc = close_(std::exchange(id_, H5I_INVALID_HID));
            if (rc < 0)
                throw RuntimeFailure(hdf5_failure("closing " + what));
        }
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer close_ = nullptr;
};

inline void check_h5(herr_t rc, const std::string& what) {
    if (rc < 0)
        throw RuntimeFailure(hdf5_failure(what));
}

inline Hdf5Handle h5_file(hid_t id, const std::string& what) {
    return {id, H5Fclose, what};
}
inline Hdf5Handle h5_group(hid_t id, const std::string& what) {
    return {id, H5Gclose, what};
}
inline Hdf5Handle h5_dataset(hid_t id, const std::string& what) {
    return {id, H5Dclose, what};
}
inline Hdf5Handle h5_space(hid_t id, const std::string& what) {
    return {id, H5Sclose, what};
}
inline Hdf5Handle h5_plist(hid_t id, const std::string& what) {
    return {id, H5Pclose, what};
}
inline Hdf5Handle h5_type(hid_t id, const std::string& what) {
    return {id, H5Tclose, what};
}
inline Hdf5Handle h5_attribute(hid_t id, const std::string& what) {
    return {id, H5Aclose, what};
}

/// Silences HDF5's own error-stack printing (users get our one-line messages instead),
/// unless debugging.
void set_hdf5_error_printing(bool enabled);

} // namespace chiprace::io
