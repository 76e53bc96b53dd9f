#pragma once
// The only way the discovery algorithms talk to the other ranks: element-wise reductions of
// small vectors, in place, every rank getting the result. app/ implements it with MPI;
// SerialReduction is the one-process case (and what the unit tests use). Integer sums are
// exact and min/max are order-free, so results do not depend on how rows are cut into ranks.

#include <cstdint>
#include <span>

namespace chiprace::discovery {

class Reduction {
public:
    Reduction() = default;
    Reduction(const Reduction&) = delete;
    Reduction& operator=(const Reduction&) = delete;
    virtual ~Reduction() = default;

    /// values[i] becomes the sum of values[i] over all ranks. Collective.
    virtual void sum(std::span<std::uint64_t> values) = 0;
    /// values[i] becomes the minimum of values[i] over all ranks. Collective.
    virtual void min(std::span<double> values) = 0;
};

/// One process holds every row: every reduction is the identity.
class SerialReduction final : public Reduction {
public:
    void sum(std::span<std::uint64_t>) override {}
    void min(std::span<double>) override {}
};

} // namespace chiprace::discovery
