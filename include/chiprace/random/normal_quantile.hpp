#pragma once
// The standard normal quantile Φ⁻¹(u) by Wichura's algorithm AS 241 (PPND16; Applied
// Statistics 37(3), 477-484, 1988): three rational approximations of degree 7/7, in
// q = u - 1/2 for |q| <= 0.425 and in r = sqrt(-log(min(u, 1 - u))) for r <= 5 and r > 5.
// It is the fast path's Φ⁻¹ for the normal family and the Gaussian copula's: a few dozen
// flops, plus a logarithm and a square root in the tails. Boost's erfc_inv costs 2.6x as much
// per value, 3.4x as much as the block form (bench/normal_quantile_speed.cpp).
//
// Accuracy (tests/unit/test_normal_quantile.cpp): the approximations are within 7.5e-17 of
// Φ⁻¹; evaluated in double, the result is within 9e-16 relative (about 8 units of 2^-53,
// the rounding of two degree-7 polynomials) of Boost's long-double erfc_inv everywhere in
// [1e-300, 1 - 2^-53] and down to the smallest subnormal. The tail below 1/2 is computed from
// u itself and the one above from 1 - u, which is exact for u >= 1/2, so no tail probability
// has lost digits to a difference. Monotone at any step above that rounding; two adjacent
// doubles can come out in the wrong order by an ulp or so, as with any such formula.
//
// Plain double arithmetic and libm's log and sqrt (no FMA: -ffp-contract=off): the same u
// gives the same bits in the scalar and the block form, vectorised or not.

#include <span>

namespace chiprace::random {

/// Φ⁻¹(u) for u in [0, 1]: -inf at 0, +inf at 1, NaN outside. Exactly antisymmetric:
/// normal_quantile(1 - u) == -normal_quantile(u) whenever 1 - u is exact.
[[nodiscard]] double normal_quantile(double u) noexcept;

/// z[i] = normal_quantile(u[i]), bit for bit; z may be u itself (in place), but must not
/// otherwise overlap it. Sizes must match.
void normal_quantiles(std::span<const double> u, std::span<double> z) noexcept;

} // namespace chiprace::random
