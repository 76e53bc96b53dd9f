#include "chiprace/random/normal_quantile.hpp"

#include <algorithm>
#include <bit>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <cstdint>
#include <doctest/doctest.h>
#include <functional>
#include <limits>
#include <numbers>
#include <vector>

using chiprace::random::normal_quantile;
using chiprace::random::normal_quantiles;

namespace {

/// Φ⁻¹(u) by Boost in long double (its default promotion): 11 more bits than double, so an
/// error-free reference at the precision examined here. The upper tail from 1 - u, which is
/// exact, as the code under test does.
long double reference(double u) {
    const long double p = u <= 0.5 ? static_cast<long double>(u) : 1.0L - u;
    const long double z = std::numbers::sqrt2_v<long double> * boost::math::erfc_inv(2.0L * p);
    return u <= 0.5 ? -z : z;
}

/// The exact path's Φ⁻¹: Boost in double, as src/random/distribution.cpp computes it.
double boost_double(double u) {
    using Double = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
    return -std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * u, Double());
}

/// Dense in (0, 1): both tails log-spaced from 1e-300 (0.1% steps), the body in steps of
/// 1e-5, the extreme doubles next to 0 and 1 that the designs can produce, and three doubles
/// either side of each of AS 241's region boundaries (|u - 1/2| = 0.425, r = 5).
std::vector<double> dense_grid() {
    std::vector<double> u;
    for (double p = 1e-300; p < 0.5; p *= 1.001) {
        u.push_back(p);
        if (1.0 - p < 1.0)
            u.push_back(1.0 - p);
    }
    for (int k = 1; k < 100000; ++k)
        u.push_back(k * 1e-5);
    for (const double x : {0x1p-53, 0x1p-52, 3 * 0x1p-53, 1 - 0x1p-53, 1 - 0x1p-52, 1 - 3 * 0x1p-53,
                           std::numeric_limits<double>::min(), 0.25, 0.75})
        u.push_back(x);
    for (const double edge : {0.075, 0.925, std::exp(-25.0), 1 - std::exp(-25.0)}) {
        double below = edge, above = edge;
        for (int k = 0; k < 3; ++k) {
            below = std::nextafter(below, 0.0);
            above = std::nextafter(above, 1.0);
            u.push_back(below);
            u.push_back(above);
        }
        u.push_back(edge);
    }
    return u;
}

std::uint64_t bits(double x) {
    return std::bit_cast<std::uint64_t>(x);
}

} // namespace

// Measured with g++ 12 on x86-64 over the grid below (827,219 points, 1e-300 to 1 - 2^-53):
// largest relative error 8.3e-16 against the long-double reference (u = 2.7e-181, in the
// r > 5 region), 9.9e-16 against Boost's double erfc_inv (the exact path, itself up to 4.4e-16
// off). The approximations alone are within 7.5e-17 of Φ⁻¹ (Wichura's "about 1e-16"; checked
// with mpmath at 40 digits): the rest is the rounding of two degree-7 polynomials in double,
// up to 9e-16 over 17 million points. The bound, 1.2e-15 (~11 units of 2^-53), leaves a
// margin for another libm's log, yet fails when E0 is changed in its 15th digit (as it does
// for changes to A3, C0, D7 and F7 in their 8th to 11th).
TEST_CASE("AS 241 matches Boost erfc_inv to 1.2e-15 relative over (0, 1), tails included") {
    const auto u = dense_grid();
    std::vector<double> z(u.size());
    normal_quantiles(u, z);
    double worst = 0, worst_u = 0, worst_boost = 0, worst_boost_u = 0;
    for (std::size_t i = 0; i < u.size(); ++i) {
        const long double ref = reference(u[i]);
        if (ref == 0) {
            CHECK(z[i] == 0);
            continue;
        }
        const auto err = static_cast<double>(std::abs((z[i] - ref) / ref));
        if (!(err <= worst)) // catches a NaN too
            worst = err, worst_u = u[i];
        const double b = boost_double(u[i]);
        const double err_boost = std::abs((z[i] - b) / b);
        if (!(err_boost <= worst_boost))
            worst_boost = err_boost, worst_boost_u = u[i];
    }
    MESSAGE("AS 241 over " << u.size() << " points: max relative error " << worst
                           << " vs long-double erfc_inv (at u = " << worst_u << "), " << worst_boost
                           << " vs Boost's double erfc_inv (at u = " << worst_boost_u << ")");
    CHECK(worst < 1.2e-15);
    CHECK(worst_boost < 1.5e-15);
}

TEST_CASE("AS 241 is infinite at 0 and 1, zero at one half, NaN outside the unit interval") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(normal_quantile(0.0) == -inf);
    CHECK(normal_quantile(1.0) == inf);
    CHECK(normal_quantile(0.5) == 0.0);
    CHECK(std::isnan(normal_quantile(-1e-300)));
    CHECK(std::isnan(normal_quantile(std::nextafter(1.0, 2.0))));
    CHECK(std::isnan(normal_quantile(std::numeric_limits<double>::quiet_NaN())));
    // The smallest subnormal still gets an accurate score (mpmath, 40 digits).
    const double tiniest = std::numeric_limits<double>::denorm_min();
    CHECK(normal_quantile(tiniest) == doctest::Approx(-38.467405617144346).epsilon(1e-14));
    // Well-known values.
    CHECK(normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-15));
    CHECK(normal_quantile(0.95) == doctest::Approx(1.6448536269514722).epsilon(1e-15));
}

TEST_CASE("AS 241 is antisymmetric bit for bit wherever 1 - u is exact") {
    // Multiples of 2^-53 below 1/2 are exactly the u with 1 - u exact; spread them over the
    // body, the region boundary at 0.075 and the tail down to 2^-53.
    auto on_grid = [](double x) { return std::ldexp(std::round(std::ldexp(x, 53)), -53); };
    std::vector<double> u;
    for (int k = 1; k < 50000; ++k)
        u.push_back(on_grid(k / 100000.0 + 1e-9 * k));
    for (int e = 2; e <= 53; ++e)
        for (const double m : {1.0, 1.5, 1.9})
            u.push_back(on_grid(std::ldexp(m, -e)));
    for (int k = -3; k <= 3; ++k)
        u.push_back(on_grid(0.075) + k * 0x1p-53);
    int checked = 0;
    for (const double v : u) {
        REQUIRE(1.0 - (1.0 - v) == v);
        INFO("u = " << v);
        CHECK(bits(normal_quantile(1.0 - v)) == bits(-normal_quantile(v)));
        ++checked;
    }
    MESSAGE(checked << " antisymmetric pairs checked");
}

TEST_CASE("AS 241 increases along a sorted grid, and its block form gives the scalar bits") {
    auto u = dense_grid();
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    // Adjacent doubles may swap by an ulp of rounding noise; grid steps far above it may not.
    std::vector<double> sparse;
    for (const double v : u)
        if (sparse.empty() || v - sparse.back() > 1e-9 * std::min(v, 1 - v))
            sparse.push_back(v);
    std::vector<double> z(sparse.size());
    normal_quantiles(sparse, z);
    CHECK(std::adjacent_find(z.begin(), z.end(), std::greater_equal<>()) == z.end());
    CHECK(z.front() < -37);
    CHECK(z.back() > 8.2);

    // Block sizes off the internal chunk, and in place.
    std::size_t mismatches = 0;
    for (const std::size_t n : {std::size_t{1}, std::size_t{255}, std::size_t{257}, u.size()}) {
        const std::vector<double> in(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(n));
        std::vector<double> out(n), in_place(in);
        normal_quantiles(in, out);
        normal_quantiles(in_place, in_place);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t scalar = bits(normal_quantile(in[i]));
            mismatches += bits(out[i]) != scalar;
            mismatches += bits(in_place[i]) != scalar;
        }
    }
    CHECK(mismatches == 0);
}
