#include "chiprace/design/saltelli_design.hpp"

#include <stdexcept>

namespace chiprace::design {

SaltelliDesign::SaltelliDesign(std::unique_ptr<Design> base, std::size_t dimension,
                               bool second_order)
    : base_(std::move(base)), dimension_(dimension), second_order_(second_order) {
    if (base_->dimension() != 2 * dimension)
        throw std::invalid_argument("SaltelliDesign: the base design needs dimension 2d");
}

void SaltelliDesign::unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const {
    if (n == 0)
        return;
    const std::uint64_t r = roles();
    const std::uint64_t first_base = first / r;
    const std::uint64_t last_base = (first + n - 1) / r;
    const std::size_t m = static_cast<std::size_t>(last_base - first_base + 1);
    const std::size_t d = dimension_;
    std::vector<double> base(2 * d * m);
    base_->unit_points(first_base, m, base);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t run = first + i;
        const std::size_t b = static_cast<std::size_t>(run / r - first_base);
        const std::uint64_t role = run % r;
        for (std::size_t j = 0; j < d; ++j) {
            const double a = base[j * m + b], bb = base[(d + j) * m + b];
            double u;
            if (role == 0)
                u = a;
            else if (role == 1)
                u = bb;
            else if (role < 2 + d) // A_B^k: A with column k from B
                u = (j == role - 2) ? bb : a;
            else // B_A^k: B with column k from A
                u = (j == role - 2 - d) ? a : bb;
            out[j * n + i] = u;
        }
    }
}

std::vector<DesignFact> SaltelliDesign::facts() const {
    auto facts = base_->facts();
    for (auto& f : facts)
        f.first = "base_" + f.first;
    facts.insert(facts.begin(),
                 {{"kind", std::string("saltelli")},
                  {"n_base", static_cast<std::int64_t>(base_->run_count())},
                  {"n_runs", static_cast<std::int64_t>(run_count())},
                  {"dimension", static_cast<std::int64_t>(dimension_)},
                  {"second_order", static_cast<std::int64_t>(second_order_ ? 1 : 0)},
                  {"runs_per_base_point", static_cast<std::int64_t>(roles())},
                  {"roles", std::string("run i: base point i / R, role i mod R; role 0 = A, 1 = "
                                        "B, 2 + k = A with column k from B, 2 + d + k = B with "
                                        "column k from A (second order); A = first d "
                                        "coordinates of the base point, B = last d")}});
    return facts;
}

} // namespace chiprace::design
