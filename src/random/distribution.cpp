#include "chiprace/random/distribution.hpp"

#include <array>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>

namespace chiprace::random {

namespace {

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

std::string fmt(double x) {
    // Shortest text that reads back to the same double.
    std::array<char, 32> buf{};
    const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), x);
    return {buf.data(), result.ptr};
}

bool finite(double x) {
    return std::isfinite(x);
}

constexpr double inf() {
    return std::numeric_limits<double>::infinity();
}

} // namespace

double LogNormal::mu() const {
    return 0.5 * (std::log(p05) + std::log(p95));
}
double LogNormal::sigma() const {
    return (std::log(p95) - std::log(p05)) / (2.0 * z95);
}

std::optional<std::string> Distribution::invalid_reason() const {
    return std::visit(
        Overloaded{
            [](const Uniform& d) -> std::optional<std::string> {
                if (!finite(d.low) || !finite(d.high))
                    return "low and high must be finite numbers";
                if (!(d.low < d.high))
                    return "low must be less than high (got low=" + fmt(d.low) +
                           ", high=" + fmt(d.high) + ")";
                return std::nullopt;
            },
            [](const Normal& d) -> std::optional<std::string> {
                if (!finite(d.mean))
                    return "mean must be a finite number";
                if (!finite(d.sd) || !(d.sd > 0))
                    return "sd must be a positive number (got " + fmt(d.sd) + ")";
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
            [](const Triangular& d) -> std::optional<std::string> {
                if (!finite(d.low) || !finite(d.mode) || !finite(d.high))
                    return "low, mode and high must be finite numbers";
                if (!(d.low < d.high))
                    return "low must be less than high (got low=" + fmt(d.low) +
                           ", high=" + fmt(d.high) + ")";
                if (d.mode < d.low || d.mode > d.high)
                    return "mode must lie in [low, high] (got mode=" + fmt(d.mode) + ")";
                return std::nullopt;
            },
            [](const Beta& d) -> std::optional<std::string> {
                if (!finite(d.alpha) || !(d.alpha > 0))
                    return "alpha must be a positive number (got " + fmt(d.alpha) + ")";
                if (!finite(d.beta) || !(d.beta > 0))
                    return "beta must be a positive number (got " + fmt(d.beta) + ")";
                return std::nullopt;
            },
            [](const Fixed& d) -> std::optional<std::string> {
                if (!finite(d.value))
                    return "value must be a finite number";
                return std::nullopt;
            },
        },
        v_);
}

double Distribution::quantile(double u) const {
    return std::visit(
        Overloaded{
            [u](const Uniform& d) { return d.low + u * (d.high - d.low); },
            [u](const Normal& d) { return d.mean + d.sd * standard_normal_quantile(u); },
            [u](const LogNormal& d) {
                return std::exp(d.mu() + d.sigma() * standard_normal_quantile(u));
            },
            [u](const Triangular& d) {
                const double width = d.high - d.low;
                const double split = (d.mode - d.low) / width;
                if (u < split)
                    return d.low + std::sqrt(u * width * (d.mode - d.low));
                return d.high - std::sqrt((1.0 - u) * width * (d.high - d.mode));
            },
            [u](const Beta& d) {
                return boost::math::ibeta_inv(d.alpha, d.beta, u, DoublePolicy());
            },
            [](const Fixed& d) { return d.value; },
        },
        v_);
}

void Distribution::quantiles(std::span<const double> u, std::span<double> out) const {
    std::visit(Overloaded{
                   [&](const Uniform& d) {
                       const double w = d.high - d.low;
                       for (std::size_t i = 0; i < u.size(); ++i)
                           out[i] = d.low + u[i] * w;
                   },
                   [&](const Fixed& d) {
                       for (std::size_t i = 0; i < u.size(); ++i)
                           out[i] = d.value;
                   },
                   [&](const auto&) {
                       for (std::size_t i = 0; i < u.size(); ++i)
                           out[i] = quantile(u[i]);
                   },
               },
               v_);
}

const char* Distribution::kind_name() const {
    return std::visit(Overloaded{
                          [](const Uniform&) { return "uniform"; },
                          [](const Normal&) { return "normal"; },
                          [](const LogNormal&) { return "lognormal"; },
                          [](const Triangular&) { return "triangular"; },
                          [](const Beta&) { return "beta"; },
                          [](const Fixed&) { return "fixed"; },
                      },
                      v_);
}

std::string Distribution::describe() const {
    return std::visit(Overloaded{
                          [](const Uniform& d) {
                              return "uniform(low=" + fmt(d.low) + ", high=" + fmt(d.high) + ")";
                          },
                          [](const Normal& d) {
                              return "normal(mean=" + fmt(d.mean) + ", sd=" + fmt(d.sd) + ")";
                          },
                          [](const LogNormal& d) {
                              return "lognormal(p05=" + fmt(d.p05) + ", p95=" + fmt(d.p95) + ")";
                          },
                          [](const Triangular& d) {
                              return "triangular(low=" + fmt(d.low) + ", mode=" + fmt(d.mode) +
                                     ", high=" + fmt(d.high) + ")";
                          },
                          [](const Beta& d) {
                              return "beta(alpha=" + fmt(d.alpha) + ", beta=" + fmt(d.beta) + ")";
                          },
                          [](const Fixed& d) { return "fixed(value=" + fmt(d.value) + ")"; },
                      },
                      v_);
}

Distribution::Support Distribution::support() const {
    return std::visit(Overloaded{
                          [](const Uniform& d) {
                              return Support{d.low, d.high, false, false};
                          },
                          [](const Normal&) {
                              return Support{-inf(), inf(), true, true};
                          },
                          [](const LogNormal&) {
                              return Support{0.0, inf(), true, true};
                          },
                          [](const Triangular& d) {
                              return Support{d.low, d.high, false, false};
                          },
                          [](const Beta&) {
                              return Support{0.0, 1.0, true, true};
                          },
                          [](const Fixed& d) {
                              return Support{d.value, d.value, false, false};
                          },
                      },
                      v_);
}

double Distribution::mean() const {
    return std::visit(
        Overloaded{
            [](const Uniform& d) { return 0.5 * (d.low + d.high); },
            [](const Normal& d) { return d.mean; },
            [](const LogNormal& d) { return std::exp(d.mu() + 0.5 * d.sigma() * d.sigma()); },
            [](const Triangular& d) { return (d.low + d.mode + d.high) / 3.0; },
            [](const Beta& d) { return d.alpha / (d.alpha + d.beta); },
            [](const Fixed& d) { return d.value; },
        },
        v_);
}

double Distribution::variance() const {
    return std::visit(
        Overloaded{
            [](const Uniform& d) { return (d.high - d.low) * (d.high - d.low) / 12.0; },
            [](const Normal& d) { return d.sd * d.sd; },
            [](const LogNormal& d) {
                const double s2 = d.sigma() * d.sigma();
                return std::expm1(s2) * std::exp(2.0 * d.mu() + s2);
            },
            [](const Triangular& d) {
                const double a = d.low, b = d.high, c = d.mode;
                return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
            },
            [](const Beta& d) {
                const double s = d.alpha + d.beta;
                return d.alpha * d.beta / (s * s * (s + 1.0));
            },
            [](const Fixed&) { return 0.0; },
        },
        v_);
}

} // namespace chiprace::random
