#pragma once
// Marginal distributions of uncertain parameters, each used through its quantile function:
// a parameter value is quantile(u) for a design's unit coordinate u in (0, 1). Working by
// quantile is what lets every design (MC, LHS, Sobol, copulas) share one set of marginals.

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>

namespace chiprace::random {

struct Uniform {
    double low, high;
};
struct Normal {
    double mean, sd;
};
/// Parameterised by its 5th and 95th percentiles, as PRIORS.md states evidence.
struct LogNormal {
    double p05, p95;
    [[nodiscard]] double mu() const;
    [[nodiscard]] double sigma() const;
};
struct Triangular {
    double low, mode, high;
};
struct Beta {
    double alpha, beta;
};
struct Fixed {
    double value;
};

class Distribution {
public:
    using Variant = std::variant<Uniform, Normal, LogNormal, Triangular, Beta, Fixed>;

    explicit Distribution(Variant v) : v_(v) {}

    /// The problem with the parameters, as a sentence naming the offending key, or nothing.
    [[nodiscard]] std::optional<std::string> invalid_reason() const;
    /// Inverse CDF; u must be in (0, 1).
    [[nodiscard]] double quantile(double u) const;
    /// quantile() of each u; one dispatch per column, so the loop inside stays tight.
    void quantiles(std::span<const double> u, std::span<double> out) const;
    /// "lognormal(p05=11.5, p95=16)": written to the result file next to the samples.
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] const char* kind_name() const;
    [[nodiscard]] const Variant& variant() const { return v_; }
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
};

/// z-score of the 95th percentile of the standard normal.
inline constexpr double z95 = 1.6448536269514722;

} // namespace chiprace::random
