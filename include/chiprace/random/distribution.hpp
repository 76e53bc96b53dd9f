#pragma once
// Marginal distributions of uncertain parameters, each used through its quantile function:
// a parameter value is quantile(u) for a design's unit coordinate u in (0, 1). Working by
// quantile is what lets every design (MC, LHS, Sobol, copulas) share one set of marginals.
// docs/sampling.md lists them with their keys, constraints and uses.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace chiprace::random {

struct Uniform {
    double low, high;
};
/// log x uniform on [log low, log high], 0 < low < high: a scale known to within orders of
/// magnitude.
struct LogUniform {
    double low, high;
};
struct Normal {
    double mean, sd;
};
/// normal(mean, sd) conditioned on [low, high]; either bound may be infinite.
struct TruncNormal {
    double mean, sd, low, high;
};
/// Parameterised by its 5th and 95th percentiles, the way evidence states a range
/// (docs/evidence.md).
struct LogNormal {
    double p05, p95;
    [[nodiscard]] double mu() const;
    [[nodiscard]] double sigma() const;
};
/// The same family by the mean mu and standard deviation sigma of log x.
struct LogNormalMuSigma {
    double mu, sigma;
};
struct Triangular {
    double low, mode, high;
};
/// Beta-PERT (lambda = 4): beta(alpha(), beta()) scaled to [low, high], mean
/// (low + 4 mode + high) / 6. A smoother three-point estimate than the triangular.
struct Pert {
    double low, mode, high;
    [[nodiscard]] double alpha() const;
    [[nodiscard]] double beta() const;
};
struct Beta {
    double alpha, beta;
};
/// A beta distribution given by its 5th and 95th percentiles, 0 < p05 < p95 < 1; Distribution
/// fits alpha and beta (see Distribution::beta_shape()).
struct BetaPercentiles {
    double p05, p95;
};
/// Density x^(shape-1) exp(-x/scale) / (Gamma(shape) scale^shape): mean shape*scale.
struct Gamma {
    double shape, scale;
};
/// values[i] with probability weights[i] / sum(weights). The quantile at u is the first value,
/// in the order given, whose cumulative weight reaches u: values are not sorted.
struct Discrete {
    std::vector<double> values, weights;
};
struct Fixed {
    double value;
};

/// How Distribution::quantiles() computes a block.
enum class QuantileMethod {
    /// Exactly quantile(u), value by value.
    exact,
    /// Close to exact, as stated per kind, and the same bits on every call:
    /// - beta, beta(p05, p95), pert and gamma through a table built once per shape
    ///   (QuantileTable): relative error below 2e-13 (measured: 7.5e-14 at worst over the
    ///   tests' shapes, below 2.5e-14 for shapes >= 0.1), 10-80x faster. Exact in the tails
    ///   u < 1.1e-7 and u > 1 - 1.1e-7, for shapes below 0.01, and where no table meets its
    ///   tolerance (beta(1e5, 1e5): Boost's own inverse is noisy at 1e-13).
    /// - normal, truncnormal and lognormal (both forms) through Φ⁻¹ by AS 241
    ///   (normal_quantile.hpp) instead of Boost's erfc_inv, on all of (0, 1): the score z
    ///   within 1.5e-15 relative of the exact path's (measured: 9.9e-16 for u from 1e-300 to
    ///   1 - 2^-53). A normal or truncnormal value is then within 1.5e-15 sd |z| (9.5e-16
    ///   relative over the tests' cases), a lognormal within about 1e-15 sigma |z| relative
    ///   (2.8e-15 for the default priors, 2.1e-14 for sigma = 0.91 at u = 1e-300); 3-4x faster.
    /// Other kinds are already fast and stay exact.
    fast,
};

namespace detail {
struct DistributionState;
}

class Distribution {
public:
    using Variant =
        std::variant<Uniform, LogUniform, Normal, TruncNormal, LogNormal, LogNormalMuSigma,
                     Triangular, Pert, Beta, BetaPercentiles, Gamma, Discrete, Fixed>;

    /// Validates v and prepares it (fits beta(p05, p95), cumulates discrete weights). Invalid
    /// parameters do not throw: invalid_reason() says what is wrong, and nothing else may be
    /// called.
    explicit Distribution(Variant v);

    /// The problem with the parameters, as a sentence naming the offending key, or nothing.
    [[nodiscard]] std::optional<std::string> invalid_reason() const;
    /// Inverse CDF, to full double precision; u must be in (0, 1).
    [[nodiscard]] double quantile(double u) const;
    /// The quantile of each u; one dispatch per column, so the loop inside stays tight.
    void quantiles(std::span<const double> u, std::span<double> out,
                   QuantileMethod method = QuantileMethod::exact) const;
    /// "lognormal(p05=11.5, p95=16)": written to the result file next to the samples.
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] const char* kind_name() const;
    [[nodiscard]] const Variant& variant() const { return v_; }
    /// The shape of the beta behind beta, beta(p05, p95) (fitted) and pert; nothing otherwise.
    [[nodiscard]] std::optional<Beta> beta_shape() const;
    /// The values the distribution can produce: an interval, open at an end the quantile
    /// approaches but never reaches (a lognormal never gives 0).
    struct Support {
        double low, high;
        bool low_open, high_open;
    };
    [[nodiscard]] Support support() const;
    [[nodiscard]] double mean() const;
    [[nodiscard]] double variance() const;

private:
    Variant v_;
    /// Shared by copies: derived constants, and the fast-path table built on first use.
    std::shared_ptr<detail::DistributionState> state_;
};

/// z-score of the 95th percentile of the standard normal.
inline constexpr double z95 = 1.6448536269514722;

} // namespace chiprace::random
