#include "chiprace/io/space_reservation.hpp"

#include "chiprace/core/diagnostic.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace chiprace::io {

void reserve_space(const std::string& path, std::uint64_t bytes, const std::string& purpose) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return; // the write itself reports a missing or unusable file
    struct stat st {};
    int rc = ::fstat(fd, &st);
    if (rc == 0)
        rc = ::posix_fallocate(fd, st.st_size, static_cast<off_t>(bytes));
    if (rc == ENOSPC || rc == EDQUOT) {
        // A failed allocation may have extended the file: leave it as it was. Should that fail
        // too, HDF5 ignores bytes past its end of allocation.
        [[maybe_unused]] const int restored = ::ftruncate(fd, st.st_size);
    }
    ::close(fd);
    if (rc != ENOSPC && rc != EDQUOT)
        return;
    const auto parent = std::filesystem::path(path).parent_path();
    const auto directory = parent.empty() ? std::filesystem::path(".") : parent;
    std::error_code ec;
    const auto space = std::filesystem::space(directory, ec);
    std::string message = std::string(std::strerror(rc)) + ": " + purpose + " needs about " +
                          std::to_string((bytes + (1U << 20) - 1) >> 20) +
                          " MB on the file system of " + directory.string();
    if (!ec)
        message += ", which has " + std::to_string(space.available >> 20) + " MB free";
    throw RuntimeFailure(message + "; " + path + " was not changed");
}

} // namespace chiprace::io
