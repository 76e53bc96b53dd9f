#include "chiprace/numeric/elementary_functions.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <doctest/doctest.h>
#include <limits>
#include <random>

namespace {

/// Distance in units in the last place between two finite doubles of the same sign.
std::uint64_t ulps_apart(double a, double b) {
    if (a == b)
        return 0;
    if (std::signbit(a) != std::signbit(b))
        return std::numeric_limits<std::uint64_t>::max();
    const auto ia = std::bit_cast<std::uint64_t>(a), ib = std::bit_cast<std::uint64_t>(b);
    return ia > ib ? ia - ib : ib - ia;
}

constexpr double inf = std::numeric_limits<double>::infinity();

} // namespace

// glibc's log and exp are within 1 ulp of exact (correctly rounded in nearly all cases), so
// ours within 1 ulp of glibc's is within 2 ulp of exact at worst. The sampling covers every
// binade: random bit patterns are uniform in the exponent.
TEST_CASE("numeric log is within 1 ulp of glibc over every binade, subnormals included") {
    std::mt19937_64 bits(20261129);
    std::uint64_t worst = 0;
    double worst_x = 0;
    for (int i = 0; i < 2'000'000; ++i) {
        const double x = std::bit_cast<double>(bits() >> 1); // positive, any exponent
        if (!std::isfinite(x))
            continue;
        const auto d = ulps_apart(chiprace::numeric::log(x), std::log(x));
        if (d > worst) {
            worst = d;
            worst_x = x;
        }
    }
    // Near 1 the result is tiny and relative accuracy matters most.
    for (double x = 0.75; x < 1.5; x += 1.0 / 4096) {
        const auto d = ulps_apart(chiprace::numeric::log(x), std::log(x));
        worst = std::max(worst, d);
    }
    MESSAGE("log: worst " << worst << " ulp (at " << worst_x << ")");
    CHECK(worst <= 1);
}

TEST_CASE("numeric exp is within 1 ulp of glibc from underflow to overflow") {
    std::mt19937_64 g(7);
    std::uniform_real_distribution<double> wide(-746.0, 710.0), narrow(-1.0, 1.0);
    std::uint64_t worst = 0;
    for (int i = 0; i < 1'000'000; ++i) {
        for (const double x : {wide(g), narrow(g)}) {
            const auto d = ulps_apart(chiprace::numeric::exp(x), std::exp(x));
            worst = std::max(worst, d);
        }
    }
    MESSAGE("exp: worst " << worst << " ulp");
    CHECK(worst <= 1);
}

TEST_CASE("numeric log and exp give the special values exactly") {
    using chiprace::numeric::exp;
    using chiprace::numeric::log;
    CHECK(log(1.0) == 0.0);
    CHECK(log(0.0) == -inf);
    CHECK(log(-0.0) == -inf);
    CHECK(log(inf) == inf);
    CHECK(std::isnan(log(-1.0)));
    CHECK(std::isnan(log(-inf)));
    CHECK(std::isnan(log(std::numeric_limits<double>::quiet_NaN())));
    CHECK(log(std::numeric_limits<double>::denorm_min()) ==
          std::log(std::numeric_limits<double>::denorm_min()));
    CHECK(exp(0.0) == 1.0);
    CHECK(exp(-inf) == 0.0);
    CHECK(exp(inf) == inf);
    CHECK(exp(709.79) == inf);
    CHECK(exp(-745.14) == 0.0);
    CHECK(exp(-745.13) == std::numeric_limits<double>::denorm_min());
    CHECK(exp(709.78) == std::exp(709.78));
    CHECK(std::isnan(exp(std::numeric_limits<double>::quiet_NaN())));
}
