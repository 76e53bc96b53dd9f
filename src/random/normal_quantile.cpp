#include "chiprace/random/normal_quantile.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace chiprace::random {

namespace {

// Coefficients of AS 241's PPND16, lowest degree first, as printed by Wichura (1988). Each
// region's numerator and denominator have degree 7; the denominators are normalised to a
// constant term of 1.

/// |u - 1/2| <= 0.425: z = q A(r) / B(r), r = 0.425² - q².
constexpr double split_central = 0.425;
constexpr double central_square = 0.180625; // 0.425²: r falls from 0.180625 at u = 1/2 to ~0
constexpr std::array<double, 8> a{3.3871328727963666080e0,  1.3314166789178437745e+2,
                                  1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                  4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                  3.3430575583588128105e+4, 2.5090809287301226727e+3};
constexpr std::array<double, 8> b{1.0,
                                  4.2313330701600911252e+1,
                                  6.8718700749205790830e+2,
                                  5.3941960214247511077e+3,
                                  2.1213794301586595867e+4,
                                  3.9307895800092710610e+4,
                                  2.8729085735721942674e+4,
                                  5.2264952788528545610e+3};

/// r = sqrt(-log p) in (1.6, 5], p = min(u, 1 - u): z = C(r - 1.6) / D(r - 1.6).
constexpr double split_tail = 5.0;
constexpr double near_shift = 1.6;
constexpr std::array<double, 8> c{1.42343711074968357734e0,  4.63033784615654529590e0,
                                  5.76949722146069140550e0,  3.64784832476320460504e0,
                                  1.27045825245236838258e0,  2.41780725177450611770e-1,
                                  2.27238449892691845833e-2, 7.74545014278341407640e-4};
constexpr std::array<double, 8> d{1.0,
                                  2.05319162663775882187e0,
                                  1.67638483018380384940e0,
                                  6.89767334985100004550e-1,
                                  1.48103976427480074590e-1,
                                  1.51986665636164571966e-2,
                                  5.47593808499534494600e-4,
                                  1.05075007164441684324e-9};

/// r > 5 (p < 1.4e-11): z = E(r - 5) / F(r - 5).
constexpr std::array<double, 8> e{6.65790464350110377720e0,  5.46378491116411436990e0,
                                  1.78482653991729133580e0,  2.96560571828504891230e-1,
                                  2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                  2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr std::array<double, 8> f{1.0,
                                  5.99832206555887937690e-1,
                                  1.36929880922735805310e-1,
                                  1.48753612908506148525e-2,
                                  7.86869131145613259100e-4,
                                  1.84631831751005468180e-5,
                                  1.42151175831644588870e-7,
                                  2.04426310338993978564e-15};

/// Horner's rule, highest degree first, written out by the fold (no loop left for the block
/// loop to vectorise around). -ffp-contract=off keeps it free of FMAs, so the rounding is the
/// same in every build and in every vector lane.
template <std::size_t N, std::size_t... I>
constexpr double horner(const std::array<double, N>& k, double x, std::index_sequence<I...>) {
    double s = k[N - 1];
    ((s = s * x + k[N - 2 - I]), ...);
    return s;
}
template <std::size_t N>
constexpr double polynomial(const std::array<double, N>& k, double x) {
    return horner(k, x, std::make_index_sequence<N - 1>{});
}

/// The central approximation, meaningful only for |u - 1/2| <= 0.425. u - 1/2 is exact for
/// u >= 1/4 and for any u that is a multiple of 2^-53, which makes it antisymmetric.
inline double central(double u) {
    const double q = u - 0.5;
    const double r = central_square - q * q;
    return q * polynomial(a, r) / polynomial(b, r);
}

/// Both tails, |u - 1/2| > 0.425 (or u NaN). p = 1 - u is exact for u >= 1/2 (Sterbenz), so
/// the upper tail keeps every digit that u carries.
double tail(double u) {
    const bool upper = u > 0.5;
    const double p = upper ? 1.0 - u : u;
    if (!(p > 0.0)) {
        if (p == 0.0)
            return upper ? std::numeric_limits<double>::infinity()
                         : -std::numeric_limits<double>::infinity();
        return std::numeric_limits<double>::quiet_NaN(); // u < 0, u > 1 or NaN
    }
    const double r = std::sqrt(-std::log(p));
    const double z = r <= split_tail
                         ? polynomial(c, r - near_shift) / polynomial(d, r - near_shift)
                         : polynomial(e, r - split_tail) / polynomial(f, r - split_tail);
    return upper ? z : -z;
}

bool is_central(double u) {
    return std::abs(u - 0.5) <= split_central;
}

} // namespace

double normal_quantile(double u) noexcept {
    return is_central(u) ? central(u) : tail(u);
}

void normal_quantiles(std::span<const double> u, std::span<double> z) noexcept {
    // Two passes per chunk: the central formula for every element, branch-free so that it
    // vectorises (85% of uniform u land there, and division is the cost), then the tails
    // patched in scalar code. The chunk buffer is what lets z be u itself.
    constexpr std::size_t chunk = 256;
    std::array<double, chunk> mid;
    for (std::size_t start = 0; start < u.size(); start += chunk) {
        const std::size_t n = std::min(chunk, u.size() - start);
        const double* in = u.data() + start;
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i)
            mid[i] = central(in[i]);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = in[i];
            z[start + i] = is_central(v) ? mid[i] : tail(v);
        }
    }
}

} // namespace chiprace::random
