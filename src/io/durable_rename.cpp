#include "chiprace/io/durable_rename.hpp"

#include "chiprace/core/diagnostic.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace chiprace::io {

void flush_to_disk(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        const std::string why = std::strerror(errno);
        if (fd >= 0)
            ::close(fd);
        throw RuntimeFailure("cannot flush " + path + ": " + why);
    }
    ::close(fd);
}

void durable_rename(const std::string& from, const std::string& to) {
    flush_to_disk(from);
    std::error_code ec;
    std::filesystem::rename(from, to, ec);
    if (ec)
        throw RuntimeFailure("cannot rename " + from + " to " + to + ": " + ec.message());
    const auto dir = std::filesystem::path(to).parent_path();
    flush_to_disk(dir.empty() ? std::string(".") : dir.string(), true);
}

} // namespace chiprace::io
