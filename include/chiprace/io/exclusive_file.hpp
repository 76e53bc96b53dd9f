#pragma once
// Files chiprace creates beside a result (OUT.partial, OUT.checkpoint.tmp, OUT.lock, part files)
// are created, never followed: a symbolic link left in their place (by accident or by another
// user) must not turn a write into an overwrite of the file it points to, and a FIFO or a
// device must not block or swallow the run. Every check looks at the name itself (lstat), and
// creation is exclusive (O_EXCL), which the kernel refuses for any existing name, a dangling
// symbolic link included.

#include <string>

namespace chiprace::io {

/// What a name is, without following a final symbolic link.
enum class PathKind {
    absent,
    regular,
    directory,
    symbolic_link,
    fifo,
    character_device,
    block_device,
    socket,
    other
};

/// lstat(2) of path; `absent` when nothing has that name. Throws RuntimeFailure naming the path
/// when it cannot be examined (permission, a parent that is a file).
PathKind path_kind(const std::string& path);

/// "a directory", "a symbolic link to TARGET", "a FIFO (named pipe)", ...
std::string describe_path_kind(const std::string& path, PathKind kind);

/// Empty when path is absent or a regular file; otherwise "PATH is a symbolic link to ..."
/// (for a message that says what to do).
std::string not_regular_reason(const std::string& path);

/// Makes way for an exclusive creation: removes a leftover regular file at path (an earlier
/// run's, --force), and throws RuntimeFailure naming the path and what it is when something
/// else is there.
void clear_for_exclusive_creation(const std::string& path);

/// An open file descriptor, closed once.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd = -1) noexcept : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();
    [[nodiscard]] int get() const noexcept { return fd_; }
    int release() noexcept;

private:
    int fd_;
};

/// open(path, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY): a new regular file, or nothing.
/// Returns an invalid descriptor (get() < 0) with errno set when the name exists (EEXIST);
/// throws RuntimeFailure naming the path on any other error.
FileDescriptor create_exclusive(const std::string& path, int mode = 0644);

} // namespace chiprace::io
