#include "chiprace/design/sobol_design.hpp"

#include "chiprace/random/counter_stream.hpp"

#include <boost/random/sobol.hpp>
#include <stdexcept>

namespace chiprace::design {

SobolDesign::SobolDesign(std::uint64_t seed, std::size_t dimension, std::uint64_t samples,
                         bool scramble)
    : seed_(seed), dimension_(dimension), samples_(samples), scramble_(scramble),
      matrix_(dimension), shift_(dimension, 0) {
    if (samples > max_runs)
        throw std::invalid_argument("SobolDesign: at most 2^32 - 1 runs");
    for (std::size_t j = 0; j < dimension; ++j) {
        // Lower-triangular matrix with unit diagonal: output bit p (from the top) depends on
        // input bits 0..p only, which keeps the net property.
        random::CounterStream bits(seed, j, random::StreamPurpose::permutation, 1);
        for (unsigned k = 0; k < 32; ++k) {
            const std::uint32_t diagonal = std::uint32_t{1} << (31 - k);
            const std::uint32_t below = diagonal - 1; // less significant positions
            matrix_[j][k] = scramble ? (diagonal | (bits() & below)) : diagonal;
        }
        shift_[j] = scramble ? bits() : 0;
    }
}

std::uint32_t SobolDesign::scramble(std::size_t j, std::uint32_t x) const {
    std::uint32_t y = 0;
    for (unsigned k = 0; k < 32; ++k)
        if (x & (std::uint32_t{1} << (31 - k)))
            y ^= matrix_[j][k];
    return y ^ shift_[j];
}

void SobolDesign::unit_points(std::uint64_t first, std::size_t n, std::span<double> out) const {
    if (n == 0)
        return;
    boost::random::sobol_engine<std::uint32_t, 32> engine(dimension_);
    std::size_t i = 0;
    if (first == 0) {
        // Boost skips the zero point; the net property needs it.
        for (std::size_t j = 0; j < dimension_; ++j)
            out[j * n] = (static_cast<double>(scramble(j, 0)) + 0.5) * 0x1.0p-32;
        i = 1;
    } else {
        engine.seed(first - 1); // the next point generated is point `first`
    }
    for (; i < n; ++i)
        for (std::size_t j = 0; j < dimension_; ++j)
            out[j * n + i] = (static_cast<double>(scramble(j, engine())) + 0.5) * 0x1.0p-32;
}

std::vector<DesignFact> SobolDesign::facts() const {
    return {
        {"kind", std::string("sobol")},
        {"seed", static_cast<std::int64_t>(seed_)},
        {"n_runs", static_cast<std::int64_t>(samples_)},
        {"dimension", static_cast<std::int64_t>(dimension_)},
        {"scramble", std::string(scramble_ ? "linear matrix scramble + digital shift" : "none")},
        {"direction_numbers", std::string("Joe & Kuo (2008), Boost.Random sobol_engine")},
        {"method", std::string("run i = Sobol' point i (point 0 included), 32 bits; "
                               "scramble matrices and shifts from Philox(seed, j, purpose 4, "
                               "substream 1); u = (y + 0.5) / 2^32")}};
}

} // namespace chiprace::design
