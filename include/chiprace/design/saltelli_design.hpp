#pragma once
// The pick-freeze design for Sobol' indices (Saltelli 2002; Saltelli et al. 2010): from N base
// points of dimension 2d, matrices A (first d coordinates) and B (last d), each base point
// gives the runs A, B and A_B^k (A with column k taken from B) for every k, and with second
// order also B_A^k. Run i belongs to base point i / R in role i mod R, R = d + 2 (or 2d + 2).

#include "chiprace/design/design.hpp"

#include <memory>

namespace chiprace::design {

class SaltelliDesign final : public Design {
public:
    /// base: a design of dimension 2d over N base points (Sobol' or Monte Carlo).
    SaltelliDesign(std::unique_ptr<Design> base, std::size_t dimension, bool second_order);
    [[nodiscard]] std::string kind() const override { return "saltelli"; }
    [[nodiscard]] std::size_t dimension() const override { return dimension_; }
    [[nodiscard]] std::uint64_t run_count() const override { return base_->run_count() * roles(); }
    void unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const override;
    [[nodiscard]] std::vector<DesignFact> facts() const override;

    /// Runs per base point: d + 2, or 2d + 2 with second order.
    [[nodiscard]] std::uint64_t roles() const {
        return second_order_ ? 2 * dimension_ + 2 : dimension_ + 2;
    }
    /// Role of run i: 0 = A, 1 = B, 2 + k = A_B^k, 2 + d + k = B_A^k.
    [[nodiscard]] std::uint64_t role(std::uint64_t run) const { return run % roles(); }
    [[nodiscard]] bool second_order() const { return second_order_; }

private:
    std::unique_ptr<Design> base_;
    std::size_t dimension_;
    bool second_order_;
};

} // namespace chiprace::design
