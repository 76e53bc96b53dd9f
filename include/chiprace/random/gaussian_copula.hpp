#pragma once
// Rank correlations between parameters, imposed on a design's unit points through a Gaussian
// copula (Iman & Conover 1982 use ranks; here the normal-scores form): the Spearman target
// ρ_s becomes the Pearson correlation ρ = 2 sin(π ρ_s / 6) of the normal scores, whose
// Cholesky factor L maps independent scores z to correlated ones L z. Marginals are untouched:
// each coordinate stays uniform, and each parameter keeps its distribution.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace chiprace::random {

struct RankCorrelation {
    std::size_t first, second; // parameter indices
    double spearman;
};

class GaussianCopula {
public:
    /// The copula for these correlations among `dimension` parameters, or the pair to blame
    /// when the implied correlation matrix is not positive definite.
    struct Failure {
        std::size_t first, second;
    };
    static std::variant<GaussianCopula, Failure> make(std::size_t dimension,
                                                      const std::vector<RankCorrelation>& pairs);

    /// Correlates the involved columns of unit (dimension columns of n) in place.
    void apply(std::span<double> unit, std::size_t n) const;
    [[nodiscard]] const std::vector<std::size_t>& dimensions() const { return dims_; }
    /// The Pearson correlation of the normal scores between involved dimensions a and b.
    [[nodiscard]] double score_correlation(std::size_t a, std::size_t b) const;

private:
    GaussianCopula() = default;
    std::vector<std::size_t> dims_; // involved parameter indices, ascending
    std::vector<double> cholesky_;  // lower-triangular, m × m row-major
};

} // namespace chiprace::random
