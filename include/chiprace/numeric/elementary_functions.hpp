#pragma once
// Natural logarithm and exponential as straight-line code: integer bit operations, IEEE
// arithmetic and selects, no branches and no calls. A loop over a block that calls them
// vectorises (with `#pragma omp simd`); one that calls glibc's log or exp stays scalar, and in
// the hot loops those calls were a fifth of a run's time.
//
// Accuracy: within 1 ulp of the exact result over the whole double range (the tests compare
// with glibc over every binade, subnormals and the special values included). They are not
// glibc's bits; they are the same bits in vector and scalar code, on every x86-64 machine,
// because they use only +, −, ×, ÷ (no fused multiply-add: the project builds with
// -ffp-contract=off) and integer operations.
//
// Method (Cody & Waite style argument reduction, as in the classic fdlibm design):
// - log: x = 2^k·m with m in [√½, √2); f = m − 1, s = f/(2 + f); log(1 + f) = 2·atanh(s)
//   = f − f²/2 + s·(f²/2 + R(s²)), R the atanh series 2z/3 + 2z²/5 + … (|s| ≤ 0.172, ten
//   terms leave < 2^−60 relative); k·ln2 is added in two parts so that k·ln2_hi is exact.
// - exp: k = round(x/ln2), r = x − k·ln2 (two parts) in [−ln2/2, ln2/2]; e^r by its Taylor
//   series to r^13 (< 2^−57 relative); 2^k applied in two halves so that results in the
//   subnormal range are rounded once.

#include <bit>
#include <cstdint>
#include <limits>

namespace chiprace::numeric {

namespace detail {
// ln 2 = ln2_hi + ln2_lo; ln2_hi has 21 significant bits, so k·ln2_hi is exact for |k| < 2^11.
inline constexpr double ln2_hi = 0x1.62e42p-1;
inline constexpr double ln2_lo = 4.7493250390316726e-07;
inline constexpr double inv_ln2 = 1.4426950408889634;

/// 2^j for j + 1023 in [1, 2046], from the biased exponent.
constexpr double power_of_two(std::uint64_t biased) {
    return std::bit_cast<double>(biased << 52);
}
} // namespace detail

/// log(x): −inf at ±0, NaN below 0 and at NaN, +inf at +inf.
constexpr double log(double x) {
    using namespace detail;
    constexpr double inf = std::numeric_limits<double>::infinity();
    // Subnormals are scaled into the normal range first.
    const bool subnormal = x < 0x1p-1022;
    const double xs = subnormal ? x * 0x1p54 : x;
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(xs);
    // Offsetting by the bits of √½ puts the binade boundary at √½; the added 2^62 keeps the
    // value non-negative, so a logical shift yields k + 1024.
    const std::uint64_t biased_k = (bits - 0x3fe6a09e667f3bcdull + 0x4000000000000000ull) >> 52;
    const double m = std::bit_cast<double>(bits - ((biased_k - 1024) << 52));
    // k as a double without an int-to-double conversion (which SSE2 lacks for 64-bit lanes).
    const double k = std::bit_cast<double>(0x4330000000000000ull | biased_k) - (0x1p52 + 1024.0) -
                     (subnormal ? 54.0 : 0.0);

    const double f = m - 1.0; // exact: m is within a factor 2 of 1
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double r =
        z * (2.0 / 3 +
             z * (2.0 / 5 +
                  z * (2.0 / 7 +
                       z * (2.0 / 9 +
                            z * (2.0 / 11 +
                                 z * (2.0 / 13 +
                                      z * (2.0 / 15 +
                                           z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21))))))))));
    const double half_f2 = 0.5 * f * f;
    const double result = k * ln2_hi + (f - (half_f2 - (s * (half_f2 + r) + k * ln2_lo)));

    const double special =
        x == 0.0 ? -inf : (x > 0.0 ? x : std::numeric_limits<double>::quiet_NaN());
    return ((x > 0.0) & (x < inf)) ? result : special;
}

/// e^x: +inf above ≈709.78, 0 below ≈−745.13, NaN at NaN.
constexpr double exp(double x) {
    using namespace detail;
    // Clamping keeps k in range; the clamped ends still overflow to inf and underflow to 0.
    const double xc = x > 709.9 ? 709.9 : (x < -745.2 ? -745.2 : x);
    // Adding 1.5·2^52 rounds x/ln2 to the nearest integer k, left in the low mantissa bits.
    constexpr double shifter = 0x1.8p52;
    const double t = xc * inv_ln2 + shifter;
    const double k = t - shifter;
    const double r = (xc - k * ln2_hi) - k * ln2_lo;
    const double p =
        1.0 +
        r * (1.0 +
             r * (1.0 / 2 +
                  r * (1.0 / 6 +
                       r * (1.0 / 24 +
                            r * (1.0 / 120 +
                                 r * (1.0 / 720 +
                                      r * (1.0 / 5040 +
                                           r * (1.0 / 40320 +
                                                r * (1.0 / 362880 +
                                                     r * (1.0 / 3628800 +
                                                          r * (1.0 / 39916800 +
                                                               r * (1.0 / 479001600 +
                                                                    r * (1.0 /
                                                                         6227020800)))))))))))));
    // u = k + 2048 in [973, 3072]; 2^k = 2^(⌊u/2⌋−1024) · 2^(u−⌊u/2⌋−1024), each factor normal.
    const std::uint64_t u =
        (std::bit_cast<std::uint64_t>(t) & 0xfffffffffffffull) - (0x8000000000000ull - 2048);
    const std::uint64_t half = u >> 1;
    const double result = p * power_of_two(half - 1) * power_of_two(u - half - 1);
    return x == x ? result : x;
}

} // namespace chiprace::numeric
