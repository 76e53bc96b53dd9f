#pragma once
// MPI for the lifetime of the process: initialised once, finalised on every exit path.

#include <mpi.h>
#include <string>

namespace chiprace::parallel {

class MpiSession {
public:
    MpiSession(int& argc, char**& argv);
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;
    ~MpiSession();

    [[nodiscard]] MPI_Comm world() const { return MPI_COMM_WORLD; }
    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }
    [[nodiscard]] bool is_root() const { return rank_ == 0; }

    /// Ends every rank at once with code: for failures that leave ranks out of step.
    [[noreturn]] void abort(int code) const;

private:
    int rank_ = 0;
    int size_ = 1;
};

/// "Open MPI v4.1.4" (the library the binary runs with).
std::string mpi_library_version();

/// The number of ranks of comm on this rank's node (those that share its memory); collective.
int ranks_on_this_node(MPI_Comm comm);

/// Broadcasts a flag from rank 0; collective.
bool broadcast_flag(bool value, MPI_Comm comm);

} // namespace chiprace::parallel
