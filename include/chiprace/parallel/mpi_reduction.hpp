#pragma once
// discovery::Reduction over an MPI communicator: MPI_Allreduce in place. Integer sums and
// minima are exact and order-free, so the result is the same whatever the reduction tree.

#include "chiprace/discovery/reduction.hpp"

#include <mpi.h>

namespace chiprace::parallel {

class MpiReduction final : public discovery::Reduction {
public:
    explicit MpiReduction(MPI_Comm comm) : comm_(comm) {}
    void sum(std::span<std::uint64_t> values) override;
    void min(std::span<double> values) override;

private:
    MPI_Comm comm_;
};

} // namespace chiprace::parallel
