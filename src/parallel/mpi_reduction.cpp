#include "chiprace/parallel/mpi_reduction.hpp"

#include "chiprace/core/diagnostic.hpp"

#include <climits>
#include <string>

namespace chiprace::parallel {

namespace {

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS)
        throw RuntimeFailure(std::string("MPI: ") + what + " failed");
}

int count_of(std::size_t n) {
    if (n > static_cast<std::size_t>(INT_MAX))
        throw RuntimeFailure("MPI: a reduction of more than INT_MAX values");
    return static_cast<int>(n);
}

} // namespace

void MpiReduction::sum(std::span<std::uint64_t> values) {
    if (values.empty())
        return;
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), count_of(values.size()), MPI_UINT64_T, MPI_SUM,
                        comm_),
          "summing counts");
}

void MpiReduction::min(std::span<double> values) {
    if (values.empty())
        return;
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), count_of(values.size()), MPI_DOUBLE, MPI_MIN,
                        comm_),
          "taking a minimum");
}

} // namespace chiprace::parallel
