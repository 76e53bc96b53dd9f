#pragma once
// Streaming Morris (1991) screening of one output: elementary effects EE_k = Δf / Δu_k along
// each trajectory of the design (design/morris_design), in unit-cube terms, summarised per
// parameter by μ (mean EE), μ* (mean |EE|, Campolongo, Cariboni & Saltelli 2007) and σ (sd of
// EE). Sums over trajectories merge by addition (in block order for bitwise cut invariance).
// The interval for μ* is a Poisson bootstrap over trajectories, as in stats/sobol_sums.hpp.
// A trajectory with a non-finite value is skipped and counted.
//
// A constant output is no special case: every elementary effect is 0, so μ = μ* = σ = 0 and the
// bootstrap interval of μ* is [0, 0], the right answer (the output depends on no parameter).
// With one trajectory σ and the interval are NaN; with none, everything is NaN; both with an
// undefined_reason.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace chiprace::stats {

inline constexpr std::string_view morris_single_trajectory =
    "a single trajectory with all values finite: sigma and the bootstrap interval of mu_star "
    "need at least two";
inline constexpr std::string_view morris_no_finite_trajectory =
    "no trajectory had all its values finite";
inline constexpr std::string_view morris_no_trajectory = "no trajectory was run";

struct MorrisEstimate {
    std::uint64_t trajectories = 0, skipped = 0;
    std::vector<double> mu, mu_star, sigma;
    std::vector<double> mu_star_conf;              // z·sd of the bootstrap replicates
    std::vector<double> mu_star_low, mu_star_high; // percentile bootstrap interval
    /// Empty when every value is defined; otherwise one of the morris_* texts above.
    std::string_view undefined_reason;
};

class MorrisSums {
public:
    MorrisSums() = default;
    MorrisSums(std::size_t parameters, std::size_t replicates);

    /// One trajectory: f at its d + 1 points in order; moved[i] and step[i] describe point
    /// i + 1 relative to point i (moved[i] < d, step[i] ≠ 0); one weight per replicate.
    void add(std::span<const double> f, std::span<const std::size_t> moved,
             std::span<const double> step, std::span<const double> weights);
    void merge(const MorrisSums& right);
    [[nodiscard]] MorrisEstimate estimate(double level) const;

    void serialize(std::vector<double>& out) const;
    static MorrisSums deserialize(std::span<const double> data, std::size_t& pos);

private:
    // Per parameter: Σ EE, Σ |EE|, Σ EE²; then per replicate and parameter Σ w|EE|; then per
    // replicate Σ w (each trajectory moves every parameter once, so one weight sum serves all).
    std::size_t d_ = 0, replicates_ = 0;
    std::uint64_t n_ = 0, skipped_ = 0;
    std::vector<double> sums_;
};

} // namespace chiprace::stats
