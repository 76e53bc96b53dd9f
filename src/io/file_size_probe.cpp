#include "chiprace/io/file_size_probe.hpp"

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/io/exclusive_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/types.h>
#include <unistd.h>

namespace chiprace::io {

namespace {

std::string human_bytes(long double bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1000.0L && u < 6) {
        bytes /= 1000.0L;
        ++u;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.3Lg %s", bytes, units[u]);
    return text;
}

} // namespace

void probe_file_size(const std::string& path, long double bytes) {
    std::string reason;
    if (bytes > static_cast<long double>(std::numeric_limits<off_t>::max())) {
        reason = std::strerror(EFBIG);
    } else {
        // Exclusive: a symbolic link in path's place must not extend (and then lose) its target.
        clear_for_exclusive_creation(path);
        const auto fd = create_exclusive(path);
        if (fd.get() < 0)
            throw RuntimeFailure(path + " appeared while it was being created: another run?");
        if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0)
            reason = std::strerror(errno);
        ::unlink(path.c_str());
    }
    if (!reason.empty())
        throw RuntimeFailure("the raw rows need " + human_bytes(bytes) +
                             " and the file system refuses a file that large (" + reason +
                             "); store summaries (output.store = \"summary\"), run fewer "
                             "samples, or use job-array parts (--part) on a file system that "
                             "allows larger files");
}

} // namespace chiprace::io
