#include "chiprace/parallel/mpi_session.hpp"

#include "chiprace/core/diagnostic.hpp"

#include <cstdlib>

namespace chiprace::parallel {

MpiSession::MpiSession(int& argc, char**& argv) {
    int provided = 0;
    // Only the master thread of each rank calls MPI (OpenMP threads compute, never talk).
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        throw RuntimeFailure("MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Finalize();
}

void MpiSession::abort(int code) const {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code); // not reached
}

std::string mpi_library_version() {
    char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
    int len = 0;
    MPI_Get_library_version(text, &len);
    std::string s(text, static_cast<std::size_t>(len));
    if (const auto comma = s.find(','); comma != std::string::npos)
        s.resize(comma);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

int ranks_on_this_node(MPI_Comm comm) {
    struct NodeComm {
        MPI_Comm handle = MPI_COMM_NULL;
        NodeComm() = default;
        NodeComm(const NodeComm&) = delete;
        NodeComm& operator=(const NodeComm&) = delete;
        ~NodeComm() {
            if (handle != MPI_COMM_NULL)
                MPI_Comm_free(&handle);
        }
    } node;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node.handle);
    int n = 1;
    MPI_Comm_size(node.handle, &n);
    return n;
}

bool broadcast_flag(bool value, MPI_Comm comm) {
    int v = value ? 1 : 0;
    MPI_Bcast(&v, 1, MPI_INT, 0, comm);
    return v != 0;
}

} // namespace chiprace::parallel
