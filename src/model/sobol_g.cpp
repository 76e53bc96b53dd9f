#include "chiprace/model/sobol_g.hpp"

#include <cmath>

namespace chiprace::model {

SobolG::SobolG(std::vector<double> a, std::vector<std::size_t> inputs)
    : a_(std::move(a)), inputs_(std::move(inputs)),
      outputs_{{"y", "1", "Sobol' G function prod_i (|4 x_i - 2| + a_i) / (1 + a_i)", false}} {}

void SobolG::evaluate(std::size_t, const InputBlock& in, OutputBlock& out) const {
    const auto y = out.column(0);
    for (std::size_t i = 0; i < in.size(); ++i)
        y[i] = 1.0;
    for (std::size_t k = 0; k < a_.size(); ++k) {
        const auto x = in.column(inputs_[k]);
        const double ak = a_[k];
        const double inv = 1.0 / (1.0 + ak);
        for (std::size_t i = 0; i < in.size(); ++i)
            y[i] *= (std::fabs(4.0 * x[i] - 2.0) + ak) * inv;
    }
}

double SobolG::exact_variance(std::span<const double> a) {
    double prod = 1.0;
    for (const double ai : a)
        prod *= 1.0 + 1.0 / (3.0 * (1.0 + ai) * (1.0 + ai));
    return prod - 1.0;
}

} // namespace chiprace::model
