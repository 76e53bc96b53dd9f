#pragma once
// What was observed of one model output, as a likelihood of the model's value: the building
// block of calibration by importance weighting (docs/calibration.md).
//
// Every likelihood is scaled to 1 at its maximum (its normalising constant does not depend on
// the model's value, so it cancels in the weighted summaries). A future's weight is the product
// of its targets' likelihoods, in (0, 1], or 0 when a value is not finite.

#include <cmath>
#include <limits>
#include <span>
#include <string_view>

namespace chiprace::stats {

struct Observation {
    enum class Kind {
        normal,    // a = mean, b = standard deviation of the observation error (> 0)
        lognormal, // a = p05, b = p95 (0 < a < b): a multiplicative error, median sqrt(a b)
        interval,  // a = low, b = high (a <= b), c = tolerance (>= 0; 0: outside is impossible)
    };
    Kind kind = Kind::normal;
    double a = 0.0, b = 1.0, c = 0.0;

    /// z of the 95th percentile of a standard normal: p05 and p95 are 2 z sigma apart.
    static constexpr double z95 = 1.6448536269514722;

    /// log L(y) with L scaled to 1 at its maximum; -inf where L is 0 (a value that is not
    /// finite, a lognormal observation of a value <= 0, outside an interval without tolerance).
    [[nodiscard]] double log_likelihood(double y) const {
        constexpr double impossible = -std::numeric_limits<double>::infinity();
        if (!std::isfinite(y))
            return impossible;
        switch (kind) {
        case Kind::normal: {
            const double z = (y - a) / b;
            return -0.5 * z * z;
        }
        case Kind::lognormal: {
            if (!(y > 0.0))
                return impossible;
            const double mu = 0.5 * (std::log(a) + std::log(b));
            const double sigma = (std::log(b) - std::log(a)) / (2.0 * z95);
            const double z = (std::log(y) - mu) / sigma;
            return -0.5 * z * z;
        }
        case Kind::interval: {
            const double outside = y < a ? a - y : (y > b ? y - b : 0.0);
            if (outside == 0.0)
                return 0.0;
            if (c == 0.0)
                return impossible;
            const double z = outside / c;
            return -0.5 * z * z;
        }
        }
        return impossible;
    }

    [[nodiscard]] static std::string_view name(Kind k) {
        switch (k) {
        case Kind::normal:
            return "normal";
        case Kind::lognormal:
            return "lognormal";
        case Kind::interval:
            return "interval";
        }
        return "?";
    }
};

} // namespace chiprace::stats
