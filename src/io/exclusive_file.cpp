#include "chiprace/io/exclusive_file.hpp"

#include "chiprace/core/diagnostic.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace chiprace::io {

PathKind path_kind(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return PathKind::absent;
        throw RuntimeFailure("cannot examine " + path + ": " + std::strerror(errno));
    }
    switch (st.st_mode & S_IFMT) {
    case S_IFREG:
        return PathKind::regular;
    case S_IFDIR:
        return PathKind::directory;
    case S_IFLNK:
        return PathKind::symbolic_link;
    case S_IFIFO:
        return PathKind::fifo;
    case S_IFCHR:
        return PathKind::character_device;
    case S_IFBLK:
        return PathKind::block_device;
    case S_IFSOCK:
        return PathKind::socket;
    default:
        return PathKind::other;
    }
}

std::string describe_path_kind(const std::string& path, PathKind kind) {
    switch (kind) {
    case PathKind::absent:
        return "absent";
    case PathKind::regular:
        return "a regular file";
    case PathKind::directory:
        return "a directory";
    case PathKind::symbolic_link: {
        std::vector<char> target(4096);
        const auto n = ::readlink(path.c_str(), target.data(), target.size() - 1);
        return n < 0 ? std::string("a symbolic link")
                     : "a symbolic link (to " +
                           std::string(target.data(), static_cast<std::size_t>(n)) + ")";
    }
    case PathKind::fifo:
        return "a FIFO (named pipe)";
    case PathKind::character_device:
        return "a character device";
    case PathKind::block_device:
        return "a block device";
    case PathKind::socket:
        return "a socket";
    case PathKind::other:
        break;
    }
    return "not a regular file";
}

std::string not_regular_reason(const std::string& path) {
    const auto kind = path_kind(path);
    if (kind == PathKind::absent || kind == PathKind::regular)
        return {};
    return path + " is " + describe_path_kind(path, kind);
}

void clear_for_exclusive_creation(const std::string& path) {
    const auto kind = path_kind(path);
    if (kind == PathKind::absent)
        return;
    if (kind != PathKind::regular)
        throw RuntimeFailure(path + " is " + describe_path_kind(path, kind) +
                             ": chiprace creates this file itself and never writes through a "
                             "link or into anything but a regular file; remove it");
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw RuntimeFailure("cannot remove the leftover " + path + ": " + std::strerror(errno));
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0)
        ::close(fd_);
}

int FileDescriptor::release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

FileDescriptor create_exclusive(const std::string& path, int mode) {
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC,
                          static_cast<mode_t>(mode));
    if (fd < 0 && errno != EEXIST)
        throw RuntimeFailure("cannot create " + path + ": " + std::strerror(errno));
    return FileDescriptor(fd);
}

} // namespace chiprace::io
