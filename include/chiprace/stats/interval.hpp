#pragma once
// Confidence-interval helpers shared by the sensitivity estimators.

#include <vector>

namespace chiprace::stats {

/// z with P(|Z| < z) = level for a standard normal Z (1.95996… at 0.95).
double normal_two_sided_z(double level);

struct BootstrapInterval {
    double sd = 0.0;   // standard deviation of the replicates (n − 1)
    double low = 0.0;  // the (1 − level)/2 quantile of the replicates
    double high = 0.0; // the (1 + level)/2 quantile
};

/// From bootstrap replicates (reordered in place): NaN fields with fewer than two.
/// Quantiles interpolate linearly between order statistics (Hyndman & Fan type 7).
BootstrapInterval bootstrap_interval(std::vector<double>& replicates, double level);

/// Poisson(1) variate from one uniform u in (0, 1), by inversion: the bootstrap weight of one
/// unit in one replicate.
double poisson1_from_uniform(double u);

} // namespace chiprace::stats
