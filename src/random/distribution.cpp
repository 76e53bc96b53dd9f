#include "chiprace/random/distribution.hpp"

#include "chiprace/numeric/elementary_functions.hpp"
#include "chiprace/random/normal_quantile.hpp"
#include "chiprace/random/quantile_table.hpp"

#include <algorithm>
#include <array>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <tuple>
#include <type_traits>

namespace chiprace::random {

namespace detail {

/// What a distribution derives from its parameters once, shared by copies.
struct DistributionState {
    std::optional<std::string> invalid;
    /// beta shape of beta, beta(p05, p95) and pert; gamma's shape in alpha.
    double alpha = 0, beta = 0;
    /// loguniform: log(low) and log(high / low).
    double log_low = 0, log_ratio = 0;
    /// truncnormal: standardised bounds, P(Z < a), P(Z > b) and P(a < Z < b).
    double a = 0, b = 0, lower_tail = 0, upper_tail = 0, mass = 0;
    /// discrete: cumulative normalised weights, the last exactly 1.
    std::vector<double> cumulative;
    /// The fast path's table, built on first use; null when there is none.
    std::once_flag table_once;
    std::shared_ptr<const QuantileTable> table;
};

} // namespace detail

namespace {

using State = detail::DistributionState;

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

/// Boost.Math promotes double arguments to long double internally by default: 3-5x slower,
/// for accuracy that double results cannot show (tests hold these to 1e-12 of the promoted
/// results). Sampling is the hot path of every run, so compute in double.
using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

/// Standard normal quantile. erfc_inv keeps full relative precision in both tails.
double standard_normal_quantile(double u) {
    return -std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * u, DoublePolicy());
}
/// The z with P(Z > z) = q, accurate for small q.
double standard_normal_upper_quantile(double q) {
    return std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * q, DoublePolicy());
}
/// P(Z < z) and P(Z > z), exact at the infinities.
double normal_lower(double z) {
    if (z == -std::numeric_limits<double>::infinity())
        return 0.0;
    return 0.5 * boost::math::erfc(-z / std::numbers::sqrt2, DoublePolicy());
}
double normal_upper(double z) {
    if (z == std::numeric_limits<double>::infinity())
        return 0.0;
    return 0.5 * boost::math::erfc(z / std::numbers::sqrt2, DoublePolicy());
}
/// P(0 < Z < z) with the sign of z; accurate near 0.
double normal_half(double z) {
    if (std::isinf(z))
        return z > 0 ? 0.5 : -0.5;
    return 0.5 * boost::math::erf(z / std::numbers::sqrt2, DoublePolicy());
}
double normal_density(double z) {
    if (std::isinf(z))
        return 0.0;
    return std::exp(-0.5 * z * z) * (std::numbers::inv_sqrtpi / std::numbers::sqrt2);
}

/// Less mass than this between a truncated normal's bounds underflows its quantile.
constexpr double min_truncated_mass = 1e-290;

std::string fmt(double x) {
    // Shortest text that reads back to the same double.
    std::array<char, 32> buf{};
    const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), x);
    return {buf.data(), result.ptr};
}

std::string fmt(const std::vector<double>& xs) {
    std::string s = "[";
    for (std::size_t i = 0; i < xs.size(); ++i)
        s += (i ? ", " : "") + fmt(xs[i]);
    return s + "]";
}

bool finite(double x) {
    return std::isfinite(x);
}

constexpr double inf() {
    return std::numeric_limits<double>::infinity();
}

std::optional<std::string> positive(const char* key, double x) {
    if (!finite(x) || !(x > 0))
        return std::string(key) + " must be a positive number (got " + fmt(x) + ")";
    return std::nullopt;
}

std::optional<std::string> three_point(double low, double mode, double high) {
    if (!finite(low) || !finite(mode) || !finite(high))
        return "low, mode and high must be finite numbers";
    if (!(low < high))
        return "low must be less than high (got low=" + fmt(low) + ", high=" + fmt(high) + ")";
    if (mode < low || mode > high)
        return "mode must lie in [low, high] (got mode=" + fmt(mode) + ")";
    return std::nullopt;
}

/// The checks that need nothing computed.
std::optional<std::string> parameter_problem(const Distribution::Variant& v) {
    return std::visit(Overloaded{
                          [](const Uniform& d) -> std::optional<std::string> {
                              if (!finite(d.low) || !finite(d.high))
                                  return "low and high must be finite numbers";
                              if (!(d.low < d.high))
                                  return "low must be less than high (got low=" + fmt(d.low) +
                                         ", high=" + fmt(d.high) + ")";
                              return std::nullopt;
                          },
                          [](const LogUniform& d) -> std::optional<std::string> {
                              if (!finite(d.low) || !finite(d.high))
                                  return "low and high must be finite numbers";
                              if (const auto why = positive("low", d.low))
                                  return why;
                              if (!(d.low < d.high))
                                  return "low must be less than high (got low=" + fmt(d.low) +
                                         ", high=" + fmt(d.high) + ")";
                              return std::nullopt;
                          },
                          [](const Normal& d) -> std::optional<std::string> {
                              if (!finite(d.mean))
                                  return "mean must be a finite number";
                              return positive("sd", d.sd);
                          },
                          [](const TruncNormal& d) -> std::optional<std::string> {
                              if (!finite(d.mean))
                                  return "mean must be a finite number";
                              if (const auto why = positive("sd", d.sd))
                                  return why;
                              if (std::isnan(d.low) || std::isnan(d.high))
                                  return "low and high must be numbers (-inf and inf are allowed)";
                              if (!(d.low < d.high))
                                  return "low must be less than high (got low=" + fmt(d.low) +
                                         ", high=" + fmt(d.high) + ")";
                              return std::nullopt;
                          },
                          [](const LogNormal& d) -> std::optional<std::string> {
                              if (!finite(d.p05) || !(d.p05 > 0))
                                  return "p05 must be a positive number (got " + fmt(d.p05) + ")";
                              if (!finite(d.p95) || !(d.p95 > d.p05))
                                  return "p95 must be greater than p05 (got p05=" + fmt(d.p05) +
                                         ", p95=" + fmt(d.p95) + ")";
                              return std::nullopt;
                          },
                          [](const LogNormalMuSigma& d) -> std::optional<std::string> {
                              if (!finite(d.mu))
                                  return "mu must be a finite number";
                              return positive("sigma", d.sigma);
                          },
                          [](const Triangular& d) { return three_point(d.low, d.mode, d.high); },
                          [](const Pert& d) { return three_point(d.low, d.mode, d.high); },
                          [](const Beta& d) -> std::optional<std::string> {
                              if (const auto why = positive("alpha", d.alpha))
                                  return why;
                              return positive("beta", d.beta);
                          },
                          [](const BetaPercentiles& d) -> std::optional<std::string> {
                              if (!finite(d.p05) || !(d.p05 > 0 && d.p05 < 1))
                                  return "p05 must lie in (0, 1) (got " + fmt(d.p05) + ")";
                              if (!finite(d.p95) || !(d.p95 > d.p05 && d.p95 < 1))
                                  return "p95 must lie between p05 and 1 (got p05=" + fmt(d.p05) +
                                         ", p95=" + fmt(d.p95) + ")";
                              return std::nullopt;
                          },
                          [](const Gamma& d) -> std::optional<std::string> {
                              if (const auto why = positive("shape", d.shape))
                                  return why;
                              return positive("scale", d.scale);
                          },
                          [](const Discrete& d) -> std::optional<std::string> {
                              if (d.values.empty())
                                  return "values must have at least one entry";
                              if (d.values.size() != d.weights.size())
                                  return "values and weights must have the same length (got " +
                                         std::to_string(d.values.size()) + " values and " +
                                         std::to_string(d.weights.size()) + " weights)";
                              for (std::size_t i = 0; i < d.values.size(); ++i)
                                  if (!finite(d.values[i]))
                                      return "values must be finite numbers (got values[" +
                                             std::to_string(i) + "] = " + fmt(d.values[i]) + ")";
                              double total = 0;
                              for (std::size_t i = 0; i < d.weights.size(); ++i) {
                                  if (!finite(d.weights[i]) || !(d.weights[i] >= 0))
                                      return "weights must be nonnegative numbers (got weights[" +
                                             std::to_string(i) + "] = " + fmt(d.weights[i]) + ")";
                                  total += d.weights[i];
                              }
                              if (!(total > 0) || !finite(total))
                                  return "weights must sum to a positive finite number (got " +
                                         fmt(total) + ")";
                              return std::nullopt;
                          },
                          [](const Fixed& d) -> std::optional<std::string> {
                              if (!finite(d.value))
                                  return "value must be a finite number";
                              return std::nullopt;
                          },
                      },
                      v);
}

// ---- beta(p05, p95) --------------------------------------------------------------------------

/// alpha and beta with I_p05(alpha, beta) = 0.05 and I_p95(alpha, beta) = 0.95. For each alpha
/// one beta meets the first condition (ibeta_invb); the second then holds at one alpha, where
/// h(log alpha) = I_p95(alpha, beta(alpha)) - 0.95 crosses zero: h rises from -0.9 (alpha -> 0)
/// to 0.05 (alpha -> inf, the distribution collapses onto p05). Bracket it on a grid of
/// log alpha and solve with TOMS 748.
std::optional<Beta> fit_beta(double p05, double p95) {
    const auto pol = DoublePolicy();
    auto beta_of = [&](double alpha) { return boost::math::ibeta_invb(alpha, p05, 0.05, pol); };
    auto h = [&](double log_alpha) {
        const double alpha = std::exp(log_alpha);
        return boost::math::ibeta(alpha, beta_of(alpha), p95, pol) - 0.95;
    };
    try {
        double lo = 0, hi = 0, h_lo = 0, h_hi = 0;
        bool have_lo = false, bracketed = false;
        for (double la = -12; la <= 24 && !bracketed; la += 1) {
            double v = 0;
            try {
                v = h(la);
            } catch (const std::exception&) {
                continue;
            }
            if (v < 0) {
                lo = la, h_lo = v, have_lo = true;
            } else if (have_lo) {
                hi = la, h_hi = v, bracketed = true;
            } else {
                return std::nullopt; // too wide even for the smallest alpha tried
            }
        }
        if (!bracketed)
            return std::nullopt;
        double la = hi;
        if (h_hi > 0) {
            std::uintmax_t iterations = 200;
            const auto root = boost::math::tools::toms748_solve(
                h, lo, hi, h_lo, h_hi, boost::math::tools::eps_tolerance<double>(52), iterations,
                pol);
            la = 0.5 * (root.first + root.second);
        }
        const Beta fit{std::exp(la), beta_of(std::exp(la))};
        const double q05 = boost::math::ibeta_inv(fit.alpha, fit.beta, 0.05, pol);
        const double q95 = boost::math::ibeta_inv(fit.alpha, fit.beta, 0.95, pol);
        if (!(finite(fit.alpha) && finite(fit.beta) && std::abs(q05 - p05) <= 1e-8 * p05 &&
              std::abs(q95 - p95) <= 1e-8 * p95))
            return std::nullopt;
        return fit;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// ---- the fast path's tables ------------------------------------------------------------------

/// u = 1 / (1 + exp(-t)) and q = 1 - u, both to full relative precision.
std::pair<double, double> logistic(double t) {
    const double e = std::exp(-std::abs(t));
    const double big = 1.0 / (1.0 + e), small = e / (1.0 + e);
    return t >= 0 ? std::pair{big, small} : std::pair{small, big};
}

/// Quantiles this close to 0 (or to 1, for beta) are left to the exact path. It bounds |y| by
/// 230, and so the effect of rounding y by ~3e-14 relative in x; with shapes >= 0.01 (below),
/// rounding t = logit(u) adds at most ~(|y| + 1/shape) 2^-53 ~ 4e-14.
constexpr double table_floor = 1e-100;

/// Beta(a, b) in y = logit(x): with r = dy/dt = u q / (x (1-x) f(x)),
/// d²y/dt² = r ((q - u) + r (b x - a (1-x))).
std::optional<QuantileTable::Node> beta_node(double a, double b, double t) {
    const auto pol = DoublePolicy();
    const auto [u, q] = logistic(t);
    double x = 0, xc = 0; // x and 1 - x, both accurate
    if (t <= 0)
        x = boost::math::ibeta_inv(a, b, u, &xc, pol);
    else
        x = boost::math::ibetac_inv(a, b, q, &xc, pol);
    if (!(x > table_floor && xc > table_floor))
        return std::nullopt;
    const double density = x <= 0.5 ? boost::math::ibeta_derivative(a, b, x, pol)
                                    : boost::math::ibeta_derivative(b, a, xc, pol);
    const double r = u * q / (density * x * xc);
    return QuantileTable::Node{std::log(x) - std::log(xc), r, r * ((q - u) + r * (b * x - a * xc))};
}

/// Gamma(k, 1) in y = log(x): with r = u q / (x f(x)), d²y/dt² = r ((q - u) - r (k - x)).
std::optional<QuantileTable::Node> gamma_node(double k, double t) {
    const auto pol = DoublePolicy();
    const auto [u, q] = logistic(t);
    const double x =
        t <= 0 ? boost::math::gamma_p_inv(k, u, pol) : boost::math::gamma_q_inv(k, q, pol);
    if (!(x > table_floor && x < 1.0 / table_floor))
        return std::nullopt;
    const double r = u * q / (boost::math::gamma_p_derivative(k, x, pol) * x);
    return QuantileTable::Node{std::log(x), r, r * ((q - u) - r * (k - x))};
}

enum class Family { beta, gamma };

/// Tables depend on the shape only; a process builds each once (experiments repeat shapes, and
/// tests load the same priors many times). Built under the lock: the same bits whichever
/// thread builds it.
std::shared_ptr<const QuantileTable> shared_table(Family family, double a, double b) {
    static std::mutex mutex;
    static std::map<std::tuple<Family, double, double>, std::shared_ptr<const QuantileTable>>
        tables;
    const std::lock_guard lock(mutex);
    const auto key = std::tuple{family, a, b};
    if (const auto it = tables.find(key); it != tables.end())
        return it->second;
    std::optional<QuantileTable> table;
    try {
        if (family == Family::beta)
            table = QuantileTable::build([a, b](double t) { return beta_node(a, b, t); });
        else
            table = QuantileTable::build([a](double t) { return gamma_node(a, t); });
    } catch (const std::exception&) {
        table.reset(); // Boost could not evaluate somewhere: keep the exact path
    }
    auto shared = table ? std::make_shared<const QuantileTable>(std::move(*table)) : nullptr;
    tables.emplace(key, shared);
    return shared;
}

/// Below this shape the quantile is so sensitive to u (x ~ u^(1/shape)) that the rounding of
/// t = logit(u) alone could exceed the fast path's stated 2e-13; such shapes stay exact.
constexpr double min_table_shape = 0.01;

const QuantileTable* table_of(State& s, Family family) {
    std::call_once(s.table_once, [&] {
        const double smallest = family == Family::beta ? std::min(s.alpha, s.beta) : s.alpha;
        if (smallest >= min_table_shape)
            s.table = shared_table(family, s.alpha, s.beta);
    });
    return s.table.get();
}

/// x from y = logit(x), to full relative precision on both sides. Fast path only: the
/// branch-free exp lets the block loops vectorise.
double from_logit(double y) {
    const double e = numeric::exp(-std::abs(y));
    return (y >= 0 ? 1.0 : e) / (1.0 + e); // a select, not a branch: y's sign is a coin flip
}

// ---- exact quantiles -------------------------------------------------------------------------

double beta_quantile(const State& s, double u) {
    return boost::math::ibeta_inv(s.alpha, s.beta, u, DoublePolicy());
}

double quantile_of(const Uniform& d, const State&, double u) {
    return d.low + u * (d.high - d.low);
}
double quantile_of(const LogUniform& d, const State& s, double u) {
    return std::clamp(std::exp(s.log_low + u * s.log_ratio), d.low, d.high);
}
double quantile_of(const Normal& d, const State&, double u) {
    return d.mean + d.sd * standard_normal_quantile(u);
}
/// Inverse CDF on [P(Z < a), P(Z < b)], from whichever tail is nearer so that neither
/// probability is a difference from 1: bounds above the mean use the upper tail.
double quantile_of(const TruncNormal& d, const State& s, double u) {
    const double p = s.lower_tail + u * s.mass;
    const double z = p <= 0.5 ? standard_normal_quantile(p)
                              : standard_normal_upper_quantile(s.upper_tail + (1.0 - u) * s.mass);
    return std::clamp(d.mean + d.sd * z, d.low, d.high);
}
double quantile_of(const LogNormal& d, const State&, double u) {
    return std::exp(d.mu() + d.sigma() * standard_normal_quantile(u));
}
double quantile_of(const LogNormalMuSigma& d, const State&, double u) {
    return std::exp(d.mu + d.sigma * standard_normal_quantile(u));
}
double quantile_of(const Triangular& d, const State&, double u) {
    const double width = d.high - d.low;
    const double split = (d.mode - d.low) / width;
    if (u < split)
        return d.low + std::sqrt(u * width * (d.mode - d.low));
    return d.high - std::sqrt((1.0 - u) * width * (d.high - d.mode));
}
double quantile_of(const Pert& d, const State& s, double u) {
    return d.low + (d.high - d.low) * beta_quantile(s, u);
}
double quantile_of(const Beta&, const State& s, double u) {
    return beta_quantile(s, u);
}
double quantile_of(const BetaPercentiles&, const State& s, double u) {
    return beta_quantile(s, u);
}
double quantile_of(const Gamma& d, const State&, double u) {
    return boost::math::gamma_p_inv(d.shape, u, DoublePolicy()) * d.scale;
}
double quantile_of(const Discrete& d, const State& s, double u) {
    const auto it = std::lower_bound(s.cumulative.begin(), s.cumulative.end(), u);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(it - s.cumulative.begin()),
                                         d.values.size() - 1);
    return d.values[i];
}
double quantile_of(const Fixed& d, const State&, double) {
    return d.value;
}

// ---- the fast path for the normal family -----------------------------------------------------

/// Φ⁻¹ by AS 241 for the whole block, then the family's transform in a loop of its own: both
/// vectorise (the lognormal's exp is numeric::exp, within 1 ulp of libm's).
template <class FromZ>
void normal_block(std::span<const double> u, std::span<double> out, FromZ from_z) {
    normal_quantiles(u, out);
    double* o = out.data();
    const std::size_t n = out.size();
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i)
        o[i] = from_z(o[i]);
}

/// The exact path's two-tail scheme with AS 241 for both tails (the upper one by symmetry,
/// -Φ⁻¹(q)). Which tail is a coin flip per value, so the loops around the quantile are
/// selects, vectorised rather than mispredicted branches. The probabilities go through a
/// chunk buffer, so out may be u itself.
void truncnormal_block(const TruncNormal& d, const State& s, std::span<const double> u,
                       std::span<double> out) {
    constexpr std::size_t chunk = 256;
    std::array<double, chunk> z;
    const double lower_tail = s.lower_tail, upper_tail = s.upper_tail, mass = s.mass;
    const double mean = d.mean, sd = d.sd, low = d.low, high = d.high;
    for (std::size_t start = 0; start < u.size(); start += chunk) {
        const std::size_t n = std::min(chunk, u.size() - start);
        const double* in = u.data() + start;
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            // A store and a masked store: GCC 12 will not if-convert the plain select here.
            const double p = lower_tail + in[i] * mass;
            z[i] = upper_tail + (1.0 - in[i]) * mass;
            if (p <= 0.5)
                z[i] = p;
        }
        normal_quantiles(std::span<const double>(z.data(), n), std::span(z.data(), n));
        double* to = out.data() + start;
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i) {
            const double p = lower_tail + in[i] * mass;
            to[i] = std::clamp(mean + sd * (p <= 0.5 ? z[i] : -z[i]), low, high);
        }
    }
}

/// The fast path over a block: the table inside its range, the exact quantile outside.
/// Passes per chunk, so that the log and the exp run in vector loops: logit(u), the table
/// lookup, the exact quantile for the rare values outside the table, then x from y. Every
/// read of u comes before the last pass writes, so out may be u itself.
template <class FromY, class Exact>
void table_block(const QuantileTable& table, std::span<const double> u, std::span<double> out,
                 FromY from_y, Exact exact) {
    constexpr std::size_t chunk = 256;
    std::array<double, chunk> y{}, outside{};
    for (std::size_t start = 0; start < u.size(); start += chunk) {
        const std::size_t n = std::min(chunk, u.size() - start);
        const double* in = u.data() + start;
        double* to = out.data() + start;
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i)
            y[i] = numeric::log(in[i] / (1.0 - in[i]));
        for (std::size_t i = 0; i < n; ++i)
            y[i] = table(y[i]);
        for (std::size_t i = 0; i < n; ++i)
            if (std::isnan(y[i]))
                outside[i] = exact(in[i]);
#pragma omp simd
        for (std::size_t i = 0; i < n; ++i)
            to[i] = std::isnan(y[i]) ? outside[i] : from_y(y[i]);
    }
}

// ---- preparation -----------------------------------------------------------------------------

std::shared_ptr<State> prepare(const Distribution::Variant& v) {
    auto s = std::make_shared<State>();
    s->invalid = parameter_problem(v);
    if (s->invalid)
        return s;
    std::visit(
        Overloaded{
            [&](const LogUniform& d) {
                s->log_low = std::log(d.low);
                const double ratio = d.high / d.low;
                s->log_ratio = finite(ratio) ? std::log(ratio) : std::log(d.high) - s->log_low;
            },
            [&](const TruncNormal& d) {
                s->a = (d.low - d.mean) / d.sd;
                s->b = (d.high - d.mean) / d.sd;
                s->lower_tail = normal_lower(s->a);
                s->upper_tail = normal_upper(s->b);
                if (s->a >= 0)
                    s->mass = normal_upper(s->a) - s->upper_tail;
                else if (s->b <= 0)
                    s->mass = normal_lower(s->b) - s->lower_tail;
                else
                    s->mass = normal_half(s->b) - normal_half(s->a);
                if (!(s->mass >= min_truncated_mass))
                    s->invalid = "[low, high] = [" + fmt(d.low) + ", " + fmt(d.high) +
                                 "] has probability " + fmt(s->mass) +
                                 " under normal(mean=" + fmt(d.mean) + ", sd=" + fmt(d.sd) +
                                 "), too little to sample: keep the interval within about 37 sd "
                                 "of the mean";
            },
            [&](const Pert& d) {
                s->alpha = d.alpha();
                s->beta = d.beta();
            },
            [&](const Beta& d) {
                s->alpha = d.alpha;
                s->beta = d.beta;
            },
            [&](const BetaPercentiles& d) {
                if (const auto fit = fit_beta(d.p05, d.p95)) {
                    s->alpha = fit->alpha;
                    s->beta = fit->beta;
                } else {
                    s->invalid = "no beta distribution could be fitted to p05=" + fmt(d.p05) +
                                 " and p95=" + fmt(d.p95) + "; give alpha and beta instead";
                }
            },
            [&](const Gamma& d) { s->alpha = d.shape; },
            [&](const Discrete& d) {
                double total = 0;
                for (const double w : d.weights)
                    total += w;
                double running = 0;
                for (const double w : d.weights) {
                    running += w;
                    s->cumulative.push_back(running / total);
                }
                s->cumulative.back() = 1.0;
            },
            [](const auto&) {},
        },
        v);
    return s;
}

/// (d coth(d/2) - 2) / 2, the loguniform's variance over its squared mean, d = log(high/low);
/// by its series where the closed form cancels.
double loguniform_spread(double d) {
    if (d < 0.1) {
        const double d2 = d * d;
        return 0.5 * d2 * (1.0 / 6.0 - d2 * (1.0 / 360.0 - d2 * (1.0 / 15120.0 - d2 / 604800.0)));
    }
    return 0.5 * (d / std::tanh(0.5 * d) - 2.0);
}

} // namespace

double LogNormal::mu() const {
    return 0.5 * (std::log(p05) + std::log(p95));
}
double LogNormal::sigma() const {
    return (std::log(p95) - std::log(p05)) / (2.0 * z95);
}
double Pert::alpha() const {
    return 1.0 + 4.0 * (mode - low) / (high - low);
}
double Pert::beta() const {
    return 1.0 + 4.0 * (high - mode) / (high - low);
}

Distribution::Distribution(Variant v) : v_(std::move(v)), state_(prepare(v_)) {}

std::optional<std::string> Distribution::invalid_reason() const {
    return state_->invalid;
}

double Distribution::quantile(double u) const {
    return std::visit([&](const auto& d) { return quantile_of(d, *state_, u); }, v_);
}

void Distribution::quantiles(std::span<const double> u, std::span<double> out,
                             QuantileMethod method) const {
    State& s = *state_;
    std::visit(
        [&](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            auto exact = [&](double v) { return quantile_of(d, s, v); };
            if (method == QuantileMethod::fast) {
                if constexpr (std::is_same_v<T, Beta> || std::is_same_v<T, BetaPercentiles>) {
                    if (const auto* table = table_of(s, Family::beta))
                        return table_block(*table, u, out, from_logit, exact);
                } else if constexpr (std::is_same_v<T, Pert>) {
                    const double low = d.low, width = d.high - d.low;
                    if (const auto* table = table_of(s, Family::beta))
                        return table_block(
                            *table, u, out, [=](double y) { return low + width * from_logit(y); },
                            exact);
                } else if constexpr (std::is_same_v<T, Gamma>) {
                    const double scale = d.scale;
                    if (const auto* table = table_of(s, Family::gamma))
                        return table_block(
                            *table, u, out, [=](double y) { return scale * numeric::exp(y); },
                            exact);
                } else if constexpr (std::is_same_v<T, Normal>) {
                    const double mean = d.mean, sd = d.sd;
                    return normal_block(u, out, [=](double z) { return mean + sd * z; });
                } else if constexpr (std::is_same_v<T, TruncNormal>) {
                    return truncnormal_block(d, s, u, out);
                } else if constexpr (std::is_same_v<T, LogNormal> ||
                                     std::is_same_v<T, LogNormalMuSigma>) {
                    // The exact path's arithmetic on z, so that only z differs between them.
                    double mu = 0, sigma = 0;
                    if constexpr (std::is_same_v<T, LogNormal>)
                        mu = d.mu(), sigma = d.sigma();
                    else
                        mu = d.mu, sigma = d.sigma;
                    return normal_block(u, out,
                                        [=](double z) { return numeric::exp(mu + sigma * z); });
                }
            }
            for (std::size_t i = 0; i < u.size(); ++i)
                out[i] = exact(u[i]);
        },
        v_);
}

const char* Distribution::kind_name() const {
    return std::visit(Overloaded{
                          [](const Uniform&) { return "uniform"; },
                          [](const LogUniform&) { return "loguniform"; },
                          [](const Normal&) { return "normal"; },
                          [](const TruncNormal&) { return "truncnormal"; },
                          [](const LogNormal&) { return "lognormal"; },
                          [](const LogNormalMuSigma&) { return "lognormal"; },
                          [](const Triangular&) { return "triangular"; },
                          [](const Pert&) { return "pert"; },
                          [](const Beta&) { return "beta"; },
                          [](const BetaPercentiles&) { return "beta"; },
                          [](const Gamma&) { return "gamma"; },
                          [](const Discrete&) { return "discrete"; },
                          [](const Fixed&) { return "fixed"; },
                      },
                      v_);
}

std::string Distribution::describe() const {
    const State& s = *state_;
    return std::visit(
        Overloaded{
            [](const Uniform& d) {
                return "uniform(low=" + fmt(d.low) + ", high=" + fmt(d.high) + ")";
            },
            [](const LogUniform& d) {
                return "loguniform(low=" + fmt(d.low) + ", high=" + fmt(d.high) + ")";
            },
            [](const Normal& d) {
                return "normal(mean=" + fmt(d.mean) + ", sd=" + fmt(d.sd) + ")";
            },
            [](const TruncNormal& d) {
                return "truncnormal(mean=" + fmt(d.mean) + ", sd=" + fmt(d.sd) +
                       ", low=" + fmt(d.low) + ", high=" + fmt(d.high) + ")";
            },
            [](const LogNormal& d) {
                return "lognormal(p05=" + fmt(d.p05) + ", p95=" + fmt(d.p95) + ")";
            },
            [](const LogNormalMuSigma& d) {
                return "lognormal(mu=" + fmt(d.mu) + ", sigma=" + fmt(d.sigma) + ")";
            },
            [](const Triangular& d) {
                return "triangular(low=" + fmt(d.low) + ", mode=" + fmt(d.mode) +
                       ", high=" + fmt(d.high) + ")";
            },
            [](const Pert& d) {
                return "pert(low=" + fmt(d.low) + ", mode=" + fmt(d.mode) +
                       ", high=" + fmt(d.high) + ")";
            },
            [](const Beta& d) {
                return "beta(alpha=" + fmt(d.alpha) + ", beta=" + fmt(d.beta) + ")";
            },
            [&](const BetaPercentiles& d) {
                std::string text = "beta(p05=" + fmt(d.p05) + ", p95=" + fmt(d.p95);
                if (!s.invalid)
                    text += "; fitted alpha=" + fmt(s.alpha) + ", beta=" + fmt(s.beta);
                return text + ")";
            },
            [](const Gamma& d) {
                return "gamma(shape=" + fmt(d.shape) + ", scale=" + fmt(d.scale) + ")";
            },
            [](const Discrete& d) {
                return "discrete(values=" + fmt(d.values) + ", weights=" + fmt(d.weights) + ")";
            },
            [](const Fixed& d) { return "fixed(value=" + fmt(d.value) + ")"; },
        },
        v_);
}

std::optional<Beta> Distribution::beta_shape() const {
    return std::visit(
        [&](const auto& d) -> std::optional<Beta> {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, Beta> || std::is_same_v<T, BetaPercentiles> ||
                          std::is_same_v<T, Pert>) {
                if (!state_->invalid)
                    return Beta{state_->alpha, state_->beta};
            }
            return std::nullopt;
        },
        v_);
}

Distribution::Support Distribution::support() const {
    return std::visit(Overloaded{
                          [](const Uniform& d) {
                              return Support{d.low, d.high, false, false};
                          },
                          [](const LogUniform& d) {
                              return Support{d.low, d.high, false, false};
                          },
                          [](const Normal&) {
                              return Support{-inf(), inf(), true, true};
                          },
                          [](const TruncNormal& d) {
                              return Support{d.low, d.high, std::isinf(d.low), std::isinf(d.high)};
                          },
                          [](const LogNormal&) {
                              return Support{0.0, inf(), true, true};
                          },
                          [](const LogNormalMuSigma&) {
                              return Support{0.0, inf(), true, true};
                          },
                          [](const Triangular& d) {
                              return Support{d.low, d.high, false, false};
                          },
                          [](const Pert& d) {
                              return Support{d.low, d.high, false, false};
                          },
                          [](const Beta&) {
                              return Support{0.0, 1.0, true, true};
                          },
                          [](const BetaPercentiles&) {
                              return Support{0.0, 1.0, true, true};
                          },
                          [](const Gamma&) {
                              return Support{0.0, inf(), true, true};
                          },
                          [](const Discrete& d) {
                              const auto [lo, hi] =
                                  std::minmax_element(d.values.begin(), d.values.end());
                              return Support{*lo, *hi, false, false};
                          },
                          [](const Fixed& d) {
                              return Support{d.value, d.value, false, false};
                          },
                      },
                      v_);
}

double Distribution::mean() const {
    const State& s = *state_;
    return std::visit(
        Overloaded{
            [](const Uniform& d) { return 0.5 * (d.low + d.high); },
            [&](const LogUniform& d) { return (d.high - d.low) / s.log_ratio; },
            [](const Normal& d) { return d.mean; },
            [&](const TruncNormal& d) {
                return d.mean + d.sd * (normal_density(s.a) - normal_density(s.b)) / s.mass;
            },
            [](const LogNormal& d) { return std::exp(d.mu() + 0.5 * d.sigma() * d.sigma()); },
            [](const LogNormalMuSigma& d) { return std::exp(d.mu + 0.5 * d.sigma * d.sigma); },
            [](const Triangular& d) { return (d.low + d.mode + d.high) / 3.0; },
            [](const Pert& d) { return (d.low + 4.0 * d.mode + d.high) / 6.0; },
            [&](const Beta&) { return s.alpha / (s.alpha + s.beta); },
            [&](const BetaPercentiles&) { return s.alpha / (s.alpha + s.beta); },
            [](const Gamma& d) { return d.shape * d.scale; },
            [](const Discrete& d) {
                double m = 0, total = 0;
                for (std::size_t i = 0; i < d.values.size(); ++i) {
                    m += d.weights[i] * d.values[i];
                    total += d.weights[i];
                }
                return m / total;
            },
            [](const Fixed& d) { return d.value; },
        },
        v_);
}

double Distribution::variance() const {
    const State& s = *state_;
    auto beta_variance = [&] {
        const double n = s.alpha + s.beta;
        return s.alpha * s.beta / (n * n * (n + 1.0));
    };
    return std::visit(
        Overloaded{
            [](const Uniform& d) { return (d.high - d.low) * (d.high - d.low) / 12.0; },
            [&](const LogUniform&) {
                const double m = mean();
                return m * m * loguniform_spread(s.log_ratio);
            },
            [](const Normal& d) { return d.sd * d.sd; },
            [&](const TruncNormal& d) {
                auto z_density = [](double z) {
                    return std::isinf(z) ? 0.0 : z * normal_density(z);
                };
                const double lambda = (normal_density(s.a) - normal_density(s.b)) / s.mass;
                return d.sd * d.sd *
                       (1.0 + (z_density(s.a) - z_density(s.b)) / s.mass - lambda * lambda);
            },
            [](const LogNormal& d) {
                const double s2 = d.sigma() * d.sigma();
                return std::expm1(s2) * std::exp(2.0 * d.mu() + s2);
            },
            [](const LogNormalMuSigma& d) {
                const double s2 = d.sigma * d.sigma;
                return std::expm1(s2) * std::exp(2.0 * d.mu + s2);
            },
            [](const Triangular& d) {
                const double a = d.low, b = d.high, c = d.mode;
                return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
            },
            [](const Pert& d) {
                const double m = (d.low + 4.0 * d.mode + d.high) / 6.0;
                return (m - d.low) * (d.high - m) / 7.0;
            },
            [&](const Beta&) { return beta_variance(); },
            [&](const BetaPercentiles&) { return beta_variance(); },
            [](const Gamma& d) { return d.shape * d.scale * d.scale; },
            [&](const Discrete& d) {
                const double m = mean();
                double v = 0, total = 0;
                for (std::size_t i = 0; i < d.values.size(); ++i) {
                    v += d.weights[i] * (d.values[i] - m) * (d.values[i] - m);
                    total += d.weights[i];
                }
                return v / total;
            },
            [](const Fixed&) { return 0.0; },
        },
        v_);
}

} // namespace chiprace::random
