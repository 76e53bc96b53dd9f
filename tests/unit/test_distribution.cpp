#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/core/diagnostic.hpp"
#include "chiprace/random/counter_stream.hpp"
#include "chiprace/random/distribution.hpp"
#include "chiprace/random/parameter_space.hpp"

#include <algorithm>
#include <bit>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <cstring>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string_view>
#include <unistd.h>
#include <vector>

using namespace chiprace::random;

namespace {

const std::vector<double>& probe_levels() {
    static const std::vector<double> u{1e-12, 1e-6, 0.001, 0.01, 0.05, 0.1,  0.25,  0.4,
                                       0.5,   0.6,  0.75,  0.9,  0.95, 0.99, 0.999, 1 - 1e-6};
    return u;
}

template <class BoostDist>
void check_against_boost(const Distribution& d, const BoostDist& reference) {
    for (const double u : probe_levels()) {
        const double expected = boost::math::quantile(reference, u);
        const double got = d.quantile(u);
        INFO("u = " << u << ", " << d.describe());
        CHECK(got == doctest::Approx(expected).epsilon(1e-12));
    }
}

/// Mean and variance of N quantile-transformed stream uniforms within 4 standard errors of
/// the closed forms; SE of the variance from the sample's fourth central moment.
void check_moments(const Distribution& d) {
    const int n = 100000;
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i) {
        CounterStream s(2024, static_cast<std::uint64_t>(i), StreamPurpose::sample_inputs);
        x[static_cast<std::size_t>(i)] = d.quantile(s.uniform_open01());
    }
    double mean = 0;
    for (const double v : x)
        mean += v;
    mean /= n;
    double m2 = 0, m4 = 0;
    for (const double v : x) {
        const double dv = (v - mean) * (v - mean);
        m2 += dv;
        m4 += dv * dv;
    }
    m2 /= n;
    m4 /= n;
    INFO(d.describe());
    CHECK(std::abs(mean - d.mean()) < 4.0 * std::sqrt(d.variance() / n));
    CHECK(std::abs(m2 - d.variance()) < 4.0 * std::sqrt((m4 - m2 * m2) / n));
}

} // namespace

TEST_CASE("quantiles agree with Boost.Math to 1e-12 relative") {
    check_against_boost(Distribution(Uniform{-3.0, 5.0}),
                        boost::math::uniform_distribution<>(-3.0, 5.0));
    check_against_boost(Distribution(Normal{2.0, 0.5}),
                        boost::math::normal_distribution<>(2.0, 0.5));
    const LogNormal ln{11.5, 16.0};
    check_against_boost(Distribution(ln),
                        boost::math::lognormal_distribution<>(ln.mu(), ln.sigma()));
    check_against_boost(Distribution(Triangular{1.5, 1.9, 2.3}),
                        boost::math::triangular_distribution<>(1.5, 1.9, 2.3));
    check_against_boost(Distribution(Triangular{0.0, 0.0, 1.0}),
                        boost::math::triangular_distribution<>(0.0, 0.0, 1.0));
    check_against_boost(Distribution(Beta{7.49, 40.28}),
                        boost::math::beta_distribution<>(7.49, 40.28));
    check_against_boost(Distribution(Beta{0.5, 0.5}), boost::math::beta_distribution<>(0.5, 0.5));
    CHECK(Distribution(Fixed{8.0}).quantile(0.3) == 8.0);
}

TEST_CASE("lognormal(p05, p95) puts its 5th and 95th percentiles where it says") {
    const Distribution d(LogNormal{1.1, 1.7});
    CHECK(d.quantile(0.05) == doctest::Approx(1.1).epsilon(1e-13));
    CHECK(d.quantile(0.95) == doctest::Approx(1.7).epsilon(1e-13));
}

TEST_CASE("block quantiles equal one-at-a-time quantiles") {
    const std::vector<double> u{0.1, 0.2, 0.7};
    for (const Distribution& d : {Distribution(Uniform{0, 2}), Distribution(Beta{2, 3}),
                                  Distribution(Fixed{4}), Distribution(Normal{0, 1})}) {
        std::vector<double> out(3);
        d.quantiles(u, out);
        for (std::size_t i = 0; i < 3; ++i)
            CHECK(out[i] == d.quantile(u[i]));
    }
}

TEST_CASE("sampled moments match closed forms within 4 standard errors") {
    check_moments(Distribution(Uniform{-3.14, 3.14}));
    check_moments(Distribution(Normal{1.0, 2.0}));
    check_moments(Distribution(LogNormal{0.6, 1.5}));
    check_moments(Distribution(Triangular{3, 5, 6}));
    check_moments(Distribution(Beta{4.31, 1.69}));
}

TEST_CASE("invalid parameters are explained, naming the parameter") {
    auto reason = [](Distribution::Variant v) {
        return Distribution(v).invalid_reason().value_or("");
    };
    CHECK(reason(Uniform{1, 1}).find("low must be less than high") != std::string::npos);
    CHECK(reason(Normal{0, 0}).find("sd must be a positive") != std::string::npos);
    CHECK(reason(Normal{0, -1}).find("sd") != std::string::npos);
    CHECK(reason(LogNormal{0, 1}).find("p05 must be a positive") != std::string::npos);
    CHECK(reason(LogNormal{2, 1}).find("p95 must be greater than p05") != std::string::npos);
    CHECK(reason(Triangular{0, 2, 1}).find("mode must lie") != std::string::npos);
    CHECK(reason(Beta{0, 1}).find("alpha") != std::string::npos);
    CHECK(reason(Beta{1, -2}).find("beta must be") != std::string::npos);
    CHECK(reason(Fixed{NAN}).find("finite") != std::string::npos);
    CHECK_FALSE(Distribution(Beta{7.49, 40.28}).invalid_reason().has_value());
}

TEST_CASE("descriptions name the distribution and its parameters") {
    CHECK(Distribution(LogNormal{11.5, 16}).describe() == "lognormal(p05=11.5, p95=16)");
    CHECK(Distribution(Beta{7.49, 40.28}).describe() == "beta(alpha=7.49, beta=40.28)");
}

// ---- every distribution ---------------------------------------------------------------------

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

/// |got - expected| <= tolerance * |expected|: relative, with no absolute floor.
bool rel_close(double got, double expected, double tolerance) {
    return std::abs(got - expected) <= tolerance * std::abs(expected);
}

void check_quantiles(const Distribution& d, const std::function<double(double)>& reference) {
    for (const double u : probe_levels()) {
        const double expected = reference(u);
        const double got = d.quantile(u);
        INFO(d.describe() << " at u = " << u << ": " << got << " vs " << expected);
        CHECK(rel_close(got, expected, 1e-12));
    }
}

template <class BoostDist>
std::function<double(double)> boost_quantile(BoostDist dist) {
    return [dist](double u) { return boost::math::quantile(dist, u); };
}
template <class BoostDist>
std::function<double(double)> boost_cdf(BoostDist dist) {
    return [dist](double x) { return boost::math::cdf(dist, x); };
}

/// The truncated normal's quantile by Boost's (promoted) normal CDF and quantile: the inverse
/// CDF at P(Z < a) + u (P(Z < b) - P(Z < a)), from the upper tail where that is past 1/2.
double truncnormal_reference(const TruncNormal& t, double u) {
    const boost::math::normal_distribution<> n01;
    const double a = (t.low - t.mean) / t.sd, b = (t.high - t.mean) / t.sd;
    auto lower = [&](double z) {
        return std::isinf(z) ? (z > 0 ? 1.0 : 0.0) : boost::math::cdf(n01, z);
    };
    auto upper = [&](double z) {
        return std::isinf(z) ? (z > 0 ? 0.0 : 1.0)
                             : boost::math::cdf(boost::math::complement(n01, z));
    };
    const double p = lower(a) + u * (lower(b) - lower(a));
    const double z = p <= 0.5 ? boost::math::quantile(n01, p)
                              : boost::math::quantile(boost::math::complement(
                                    n01, upper(b) + (1 - u) * (upper(a) - upper(b))));
    return t.mean + t.sd * z;
}

double truncnormal_cdf(const TruncNormal& t, double x) {
    const boost::math::normal_distribution<> n(t.mean, t.sd);
    auto lower = [&](double v) {
        return std::isinf(v) ? (v > 0 ? 1.0 : 0.0) : boost::math::cdf(n, v);
    };
    auto upper = [&](double v) {
        return std::isinf(v) ? (v > 0 ? 0.0 : 1.0)
                             : boost::math::cdf(boost::math::complement(n, v));
    };
    if (t.low >= t.mean) // upper tail: no differences of numbers near 1
        return (upper(t.low) - upper(x)) / (upper(t.low) - upper(t.high));
    return (lower(x) - lower(t.low)) / (lower(t.high) - lower(t.low));
}

double loguniform_reference(const LogUniform& d, double u) {
    return std::exp(std::log(d.low) + u * (std::log(d.high) - std::log(d.low)));
}

/// The first value, in the order given, whose cumulative normalised weight reaches u.
double discrete_reference(const Discrete& d, double u) {
    double total = 0;
    for (const double w : d.weights)
        total += w;
    double cumulative = 0;
    for (std::size_t i = 0; i < d.values.size(); ++i) {
        cumulative += d.weights[i];
        if (cumulative / total >= u)
            return d.values[i];
    }
    return d.values.back();
}

constexpr int sample_size = 100000;

/// The stream uniforms of the moment test, computed once.
const std::vector<double>& stream_uniforms() {
    static const std::vector<double> u = [] {
        std::vector<double> v(sample_size);
        for (int i = 0; i < sample_size; ++i) {
            CounterStream s(2024, static_cast<std::uint64_t>(i), StreamPurpose::sample_inputs);
            v[static_cast<std::size_t>(i)] = s.uniform_open01();
        }
        return v;
    }();
    return u;
}

/// N samples by the run's (fast) block path: mean and variance within 4 standard errors of
/// the closed forms (the variance's SE from the sample's fourth central moment), and a
/// Kolmogorov-Smirnov test against the exact CDF at the 0.1% level, D sqrt(N) < 1.95.
void check_sample(const Distribution& d, const std::function<double(double)>& cdf) {
    INFO(d.describe());
    const auto& u = stream_uniforms();
    std::vector<double> x(u.size());
    d.quantiles(u, x, QuantileMethod::fast);
    const double n = static_cast<double>(x.size());
    double mean = 0;
    for (const double v : x)
        mean += v;
    mean /= n;
    double m2 = 0, m4 = 0;
    for (const double v : x) {
        const double dv = (v - mean) * (v - mean);
        m2 += dv;
        m4 += dv * dv;
    }
    m2 /= n;
    m4 /= n;
    CHECK(std::abs(mean - d.mean()) < 4.0 * std::sqrt(d.variance() / n));
    CHECK(std::abs(m2 - d.variance()) < 4.0 * std::sqrt((m4 - m2 * m2) / n));

    std::sort(x.begin(), x.end());
    double ks = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double f = cdf(x[i]);
        ks = std::max({ks, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
    }
    CHECK(ks * std::sqrt(n) < 1.95);
}

std::string reason(Distribution::Variant v) {
    return Distribution(std::move(v)).invalid_reason().value_or("");
}

} // namespace

TEST_CASE("every distribution's quantile agrees with Boost.Math or its closed form to 1e-12") {
    const LogUniform lu{0.01, 300.0};
    check_quantiles(Distribution(lu), [&](double u) { return loguniform_reference(lu, u); });

    for (const TruncNormal t :
         {TruncNormal{10, 2, 7, 20}, TruncNormal{0, 1, 2, 8}, TruncNormal{0, 1, 30, 31},
          TruncNormal{0, 1, -8, -3}, TruncNormal{5, 1, -inf, 5.5}, TruncNormal{1, 1, 1, inf},
          TruncNormal{-3, 0.5, -inf, inf}})
        check_quantiles(Distribution(t), [&](double u) { return truncnormal_reference(t, u); });

    check_quantiles(Distribution(LogNormalMuSigma{0.3, 0.8}),
                    boost_quantile(boost::math::lognormal_distribution<>(0.3, 0.8)));

    const Pert pert{2, 3, 10};
    check_quantiles(Distribution(pert), [&](double u) {
        return 2 + 8 * boost::math::quantile(boost::math::beta_distribution<>(1.5, 4.5), u);
    });
    CHECK(pert.alpha() == 1.5);
    CHECK(pert.beta() == 4.5);

    for (const auto& [shape, scale] : {std::pair{0.3, 2.0}, {2.0, 1.0}, {50.0, 0.1}, {1e4, 3.0}})
        check_quantiles(Distribution(Gamma{shape, scale}),
                        boost_quantile(boost::math::gamma_distribution<>(shape, scale)));

    const Distribution fitted(BetaPercentiles{0.1, 0.4});
    REQUIRE(fitted.beta_shape().has_value());
    check_quantiles(fitted, boost_quantile(boost::math::beta_distribution<>(
                                fitted.beta_shape()->alpha, fitted.beta_shape()->beta)));

    const Discrete disc{{5, -1, 2.5, 7}, {0.2, 0.0, 0.3, 0.5}};
    check_quantiles(Distribution(disc), [&](double u) { return discrete_reference(disc, u); });
    const Distribution dd(disc);
    CHECK(dd.quantile(0.2) == 5);         // cumulative weight 0.2 reaches u = 0.2
    CHECK(dd.quantile(0.2000001) == 2.5); // the zero-weight -1 is never drawn
    CHECK(dd.quantile(0.999999) == 7);
    // Values in the order given: an unsorted list gives an unsorted quantile.
    const Distribution unsorted(Discrete{{3, 1, 2}, {1, 1, 1}});
    CHECK(unsorted.quantile(0.1) == 3);
    CHECK(unsorted.quantile(0.5) == 1);
    CHECK(unsorted.quantile(0.9) == 2);
}

TEST_CASE("beta(p05, p95) fits alpha and beta that put the percentiles where it says") {
    for (const auto& [p05, p95] : {std::pair{0.1, 0.4},
                                   {0.05, 0.95},
                                   {0.001, 0.002},
                                   {0.9, 0.99},
                                   {0.3, 0.31},
                                   {1e-6, 0.9},
                                   {0.01, 0.999999}}) {
        const Distribution d(BetaPercentiles{p05, p95});
        INFO(d.describe());
        REQUIRE_FALSE(d.invalid_reason().has_value());
        CHECK(rel_close(d.quantile(0.05), p05, 1e-8));
        CHECK(rel_close(d.quantile(0.95), p95, 1e-8));
    }
    // The symmetric case is beta(alpha, alpha).
    const auto shape = Distribution(BetaPercentiles{0.25, 0.75}).beta_shape();
    REQUIRE(shape.has_value());
    CHECK(shape->alpha == doctest::Approx(shape->beta).epsilon(1e-10));
    // The fitted shape is stated.
    const Distribution d(BetaPercentiles{0.1, 0.4});
    CHECK(d.describe().rfind("beta(p05=0.1, p95=0.4; fitted alpha=4.775", 0) == 0);
    CHECK(d.describe().find(", beta=15.55") != std::string::npos);
}

TEST_CASE("every distribution samples its law: moments within 4 SE, Kolmogorov-Smirnov at 0.1%") {
    // CDFs in double (no promotion to long double): 1e-15 is plenty for a KS test, and 3x faster.
    using Double = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
    using beta_distribution = boost::math::beta_distribution<double, Double>;
    using gamma_distribution = boost::math::gamma_distribution<double, Double>;
    using lognormal_distribution = boost::math::lognormal_distribution<double, Double>;
    using normal_distribution = boost::math::normal_distribution<double, Double>;
    check_sample(Distribution(Uniform{-3.14, 3.14}),
                 boost_cdf(boost::math::uniform_distribution<>(-3.14, 3.14)));
    const LogUniform lu{0.01, 100.0};
    check_sample(Distribution(lu), [&](double x) { return std::log(x / 0.01) / std::log(1e4); });
    check_sample(Distribution(Normal{1.0, 2.0}), boost_cdf(normal_distribution(1.0, 2.0)));
    for (const TruncNormal t : {TruncNormal{10, 2, 7, 20}, TruncNormal{0, 1, 2, 8},
                                TruncNormal{0, 1, 0, inf}, TruncNormal{0, 3, -inf, -1}})
        check_sample(Distribution(t), [&](double x) { return truncnormal_cdf(t, x); });
    const LogNormal ln{0.6, 1.5};
    check_sample(Distribution(ln), boost_cdf(lognormal_distribution(ln.mu(), ln.sigma())));
    check_sample(Distribution(LogNormalMuSigma{-0.5, 0.4}),
                 boost_cdf(lognormal_distribution(-0.5, 0.4)));
    check_sample(Distribution(Triangular{3, 5, 6}),
                 boost_cdf(boost::math::triangular_distribution<>(3, 5, 6)));
    check_sample(Distribution(Pert{3, 5, 6}), [](double x) {
        return boost::math::cdf(beta_distribution(1 + 4 * 2.0 / 3, 1 + 4 * 1.0 / 3), (x - 3) / 3);
    });
    check_sample(Distribution(Beta{4.31, 1.69}), boost_cdf(beta_distribution(4.31, 1.69)));
    check_sample(Distribution(Beta{0.5, 0.5}), boost_cdf(beta_distribution(0.5, 0.5)));
    const Distribution fitted(BetaPercentiles{0.02, 0.2});
    check_sample(fitted, boost_cdf(beta_distribution(fitted.beta_shape()->alpha,
                                                     fitted.beta_shape()->beta)));
    check_sample(Distribution(Gamma{0.5, 2.0}), boost_cdf(gamma_distribution(0.5, 2.0)));
    check_sample(Distribution(Gamma{20.0, 0.1}), boost_cdf(gamma_distribution(20.0, 0.1)));

    // Discrete: each value's frequency within 4 SE of its probability; moments as above.
    const Discrete disc{{1, 10, 2, 3}, {0.1, 0.05, 0.6, 0.25}};
    const Distribution d(disc);
    const auto& u = stream_uniforms();
    std::vector<double> x(u.size());
    d.quantiles(u, x, QuantileMethod::fast);
    for (std::size_t k = 0; k < disc.values.size(); ++k) {
        const double p = disc.weights[k];
        const double freq =
            static_cast<double>(std::count(x.begin(), x.end(), disc.values[k])) / sample_size;
        INFO("value " << disc.values[k]);
        CHECK(std::abs(freq - p) < 4.0 * std::sqrt(p * (1 - p) / sample_size));
    }
    check_moments(d);
    CHECK(d.mean() == doctest::Approx(0.1 + 0.5 + 1.2 + 0.75));

    const Distribution fixed(Fixed{8.5});
    fixed.quantiles(u, x, QuantileMethod::fast);
    CHECK(std::all_of(x.begin(), x.end(), [](double v) { return v == 8.5; }));
    CHECK(fixed.mean() == 8.5);
    CHECK(fixed.variance() == 0.0);
}

// The fast path: the maximum relative error against the exact quantile over the distributions
// below (default-prior shapes, U- and J-shaped betas, tiny and huge shapes) and 30,000 stream
// uniforms plus tails down to 1e-10 and both sides of the table's edges, measured with g++ 12
// on x86-64: 7.5e-14, for beta(0.01, 0.5), where x ~ u^100 turns the rounding of
// t = logit(u) into ~100 |t| 2^-53; every shape >= 0.1 stays below 2.5e-14, the default
// priors' betas below 5e-15. The bound checked, 2e-13, is the one docs/sampling.md states.
// The normal family (AS 241 for Φ⁻¹): 9.5e-16 for the normals and truncnormals (chosen with
// values away from 0, where mean + sd z would measure cancellation rather than Φ⁻¹), 2.8e-15
// for the default priors' lognormals, 1.4e-14 for lognormal(mu=-20, sigma=3), whose relative
// error is z's times sigma |z|.
TEST_CASE("the fast block path is within 2e-13 of the exact quantile, deterministic, monotone") {
    std::vector<double> u(stream_uniforms().begin(), stream_uniforms().begin() + 30000);
    for (double p = 1e-10; p < 0.5; p *= 1.2) {
        u.push_back(p);
        u.push_back(1 - p);
    }
    const double edge = 1.0 / (1.0 + std::exp(16.0)); // the table covers logit(u) in [-16, 16]
    for (const double f : {0.999999, 1.0, 1.000001}) {
        u.push_back(edge * f);
        u.push_back(1 - edge * f);
    }
    u.push_back(0.5);
    std::vector<double> fast(u.size()), again(u.size()), exact(u.size());
    double worst = 0, worst_normal = 0;
    std::string worst_case, worst_normal_case;
    std::vector<Distribution> cases;
    for (const Distribution::Variant& v : std::vector<Distribution::Variant>{
             Beta{7.49, 40.28}, Beta{2.4, 104.08}, Beta{4.31, 1.69}, Beta{0.5, 0.5}, Beta{0.1, 0.1},
             Beta{0.05, 3}, Beta{0.01, 0.5}, Beta{1000, 1000}, BetaPercentiles{0.1, 0.4},
             Pert{1, 2, 5}, Pert{0, 0, 1}, Gamma{0.02, 1}, Gamma{0.3, 2}, Gamma{2, 1},
             Gamma{50, 0.1}, Gamma{1e4, 1}})
        cases.emplace_back(v);
    // The normal family, whose fast path is AS 241 for Φ⁻¹.
    for (const Distribution::Variant& v : std::vector<Distribution::Variant>{
             Normal{0, 1}, Normal{-3.5, 0.25}, TruncNormal{10, 2, 7, 20}, TruncNormal{0, 1, 2, 8},
             TruncNormal{0, 1, 30, 31}, TruncNormal{0, 1, -8, -3}, TruncNormal{0, 1, 0, inf},
             LogNormal{11.5, 16}, LogNormal{1.25, 1.4}, LogNormal{0.1, 2},
             LogNormalMuSigma{0.3, 0.8}, LogNormalMuSigma{-20, 3}})
        cases.emplace_back(v);
    for (const Distribution& d : cases) {
        INFO(d.describe());
        d.quantiles(u, fast, QuantileMethod::fast);
        d.quantiles(u, again, QuantileMethod::fast);
        d.quantiles(u, exact, QuantileMethod::exact);
        CHECK(std::memcmp(fast.data(), again.data(), fast.size() * sizeof(double)) == 0);
        double here = 0;
        for (std::size_t i = 0; i < u.size(); ++i) {
            CHECK(std::bit_cast<std::uint64_t>(exact[i]) ==
                  std::bit_cast<std::uint64_t>(d.quantile(u[i])));
            here = std::max(here, std::abs(fast[i] - exact[i]) / std::abs(exact[i]));
        }
        CHECK(here < 2e-13);
        if (here > worst) {
            worst = here;
            worst_case = d.describe();
        }
        const std::string_view kind = d.kind_name();
        if (kind == "normal" || kind == "truncnormal")
            CHECK(here < 2e-15); // AS 241's own error: these quantiles stay away from 0
        if (kind.find("normal") != std::string_view::npos && here > worst_normal) {
            worst_normal = here;
            worst_normal_case = d.describe();
        }

        std::vector<double> sorted(u);
        std::sort(sorted.begin(), sorted.end());
        d.quantiles(sorted, fast, QuantileMethod::fast);
        CHECK(std::is_sorted(fast.begin(), fast.end()));
    }
    MESSAGE("fast path: max relative error " << worst << ", " << worst_case << "; normal family "
                                             << worst_normal << ", " << worst_normal_case);
    CHECK(worst > 0);        // the table is in use
    CHECK(worst_normal > 0); // and AS 241

    // The normal family has no table edge: AS 241 all the way, to u = 1e-300 and 1 - 2^-53
    // (above, u stops at 1e-10, short of its third region). A lognormal's relative error is
    // z's times sigma |z|, which reaches 34 for lognormal(0.1, 2) at u = 1e-300.
    std::vector<double> deep{1 - 0x1p-53};
    for (double p = 1e-300; p < 1e-10; p *= 1.5) {
        deep.push_back(p);
        if (1 - p < 1)
            deep.push_back(1 - p);
    }
    std::vector<double> deep_fast(deep.size()), deep_exact(deep.size());
    for (const auto& [d, bound] : {std::pair{Distribution(Normal{0, 1}), 2e-15},
                                   std::pair{Distribution(LogNormal{0.1, 2}), 1e-13}}) {
        INFO(d.describe());
        d.quantiles(deep, deep_fast, QuantileMethod::fast);
        d.quantiles(deep, deep_exact, QuantileMethod::exact);
        double here = 0;
        for (std::size_t i = 0; i < deep.size(); ++i)
            here = std::max(here, std::abs((deep_fast[i] - deep_exact[i]) / deep_exact[i]));
        CHECK(here < bound);
        MESSAGE("fast path to u = 1e-300: max relative error " << here << ", " << d.describe());
    }

    // Shapes below 0.01, too sensitive to u's last bits for the table, stay exact.
    for (const Distribution& d : {Distribution(Beta{0.005, 2}), Distribution(Gamma{0.009, 1}),
                                  Distribution(BetaPercentiles{1e-300, 0.5})}) {
        INFO(d.describe());
        d.quantiles(u, fast, QuantileMethod::fast);
        for (std::size_t i = 0; i < u.size(); ++i)
            CHECK(std::bit_cast<std::uint64_t>(fast[i]) ==
                  std::bit_cast<std::uint64_t>(d.quantile(u[i])));
    }
}

TEST_CASE("parameter spaces sample with the fast path unless asked for the exact one") {
    const ParameterSpace space(
        {{"b", Distribution(Beta{2, 3}), "", ""}, {"g", Distribution(Gamma{2, 1}), "", ""}});
    const std::vector<double> unit{0.1, 0.7, 0.3, 0.9};
    std::vector<double> fast(4), exact(4);
    space.to_values(unit, 2, fast);
    space.to_values(unit, 2, exact, QuantileMethod::exact);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(exact[i] == space.parameters()[i / 2].distribution.quantile(unit[i]));
        CHECK(rel_close(fast[i], exact[i], 1e-13));
    }
}

TEST_CASE("every new invalid parameter is explained, naming the parameter") {
    CHECK(reason(LogUniform{0, 1}) == "low must be a positive number (got 0)");
    CHECK(reason(LogUniform{-1, 1}) == "low must be a positive number (got -1)");
    CHECK(reason(LogUniform{2, 1}) == "low must be less than high (got low=2, high=1)");
    CHECK(reason(LogUniform{1, inf}) == "low and high must be finite numbers");

    CHECK(reason(TruncNormal{NAN, 1, 0, 1}) == "mean must be a finite number");
    CHECK(reason(TruncNormal{0, 0, 0, 1}) == "sd must be a positive number (got 0)");
    CHECK(reason(TruncNormal{0, 1, 1, 1}) == "low must be less than high (got low=1, high=1)");
    CHECK(reason(TruncNormal{0, 1, NAN, 1}) ==
          "low and high must be numbers (-inf and inf are allowed)");
    CHECK(reason(TruncNormal{0, 1, 40, 50}) ==
          "[low, high] = [40, 50] has probability 0 under normal(mean=0, sd=1), too little to "
          "sample: keep the interval within about 37 sd of the mean");
    CHECK_FALSE(Distribution(TruncNormal{0, 1, 36, 37}).invalid_reason().has_value());

    CHECK(reason(LogNormalMuSigma{inf, 1}) == "mu must be a finite number");
    CHECK(reason(LogNormalMuSigma{0, -0.5}) == "sigma must be a positive number (got -0.5)");

    CHECK(reason(Pert{0, 2, 1}) == "mode must lie in [low, high] (got mode=2)");
    CHECK(reason(Pert{1, 1, 1}) == "low must be less than high (got low=1, high=1)");
    CHECK(reason(Pert{0, NAN, 1}) == "low, mode and high must be finite numbers");

    CHECK(reason(BetaPercentiles{0, 0.5}) == "p05 must lie in (0, 1) (got 0)");
    CHECK(reason(BetaPercentiles{1.2, 1.5}) == "p05 must lie in (0, 1) (got 1.2)");
    CHECK(reason(BetaPercentiles{0.5, 0.4}) == "p95 must lie between p05 and 1 (got p05=0.5, "
                                               "p95=0.4)");
    CHECK(reason(BetaPercentiles{0.5, 1}) == "p95 must lie between p05 and 1 (got p05=0.5, p95=1)");
    CHECK(reason(BetaPercentiles{0.5, 0.5000001}) ==
          "no beta distribution could be fitted to p05=0.5 and p95=0.5000001; give alpha and beta "
          "instead");
    CHECK(Distribution(BetaPercentiles{0.5, 0.5000001}).describe() ==
          "beta(p05=0.5, p95=0.5000001)");

    CHECK(reason(Gamma{-1, 1}) == "shape must be a positive number (got -1)");
    CHECK(reason(Gamma{1, 0}) == "scale must be a positive number (got 0)");
    CHECK(reason(Gamma{1, inf}) == "scale must be a positive number (got inf)");

    CHECK(reason(Discrete{{}, {}}) == "values must have at least one entry");
    CHECK(reason(Discrete{{1, 2, 3}, {1, 1}}) ==
          "values and weights must have the same length (got 3 values and 2 weights)");
    CHECK(reason(Discrete{{1, NAN}, {1, 1}}) ==
          "values must be finite numbers (got values[1] = nan)");
    CHECK(reason(Discrete{{1, 2}, {1, -0.5}}) ==
          "weights must be nonnegative numbers (got weights[1] = -0.5)");
    CHECK(reason(Discrete{{1, 2}, {0, 0}}) ==
          "weights must sum to a positive finite number (got 0)");
    CHECK(reason(Discrete{{1, 2}, {1e308, 1e308}}) ==
          "weights must sum to a positive finite number (got inf)");
    CHECK_FALSE(Distribution(Discrete{{4}, {2}}).invalid_reason().has_value());
}

TEST_CASE("every kind has a name, a description, a support and moments") {
    struct Case {
        Distribution d;
        const char* kind;
        const char* text;
        Distribution::Support support;
    };
    const std::vector<Case> cases{
        {Distribution(Uniform{0, 2}), "uniform", "uniform(low=0, high=2)", {0, 2, false, false}},
        {Distribution(LogUniform{0.5, 8}),
         "loguniform",
         "loguniform(low=0.5, high=8)",
         {0.5, 8, false, false}},
        {Distribution(Normal{1, 2}), "normal", "normal(mean=1, sd=2)", {-inf, inf, true, true}},
        {Distribution(TruncNormal{1, 2, 0, inf}),
         "truncnormal",
         "truncnormal(mean=1, sd=2, low=0, high=inf)",
         {0, inf, false, true}},
        {Distribution(LogNormal{1, 2}),
         "lognormal",
         "lognormal(p05=1, p95=2)",
         {0, inf, true, true}},
        {Distribution(LogNormalMuSigma{0.5, 0.25}),
         "lognormal",
         "lognormal(mu=0.5, sigma=0.25)",
         {0, inf, true, true}},
        {Distribution(Triangular{0, 1, 3}),
         "triangular",
         "triangular(low=0, mode=1, high=3)",
         {0, 3, false, false}},
        {Distribution(Pert{0, 1, 3}), "pert", "pert(low=0, mode=1, high=3)", {0, 3, false, false}},
        {Distribution(Beta{2, 3}), "beta", "beta(alpha=2, beta=3)", {0, 1, true, true}},
        {Distribution(Gamma{2, 0.5}), "gamma", "gamma(shape=2, scale=0.5)", {0, inf, true, true}},
        {Distribution(Discrete{{3, -1, 2}, {1, 2, 1}}),
         "discrete",
         "discrete(values=[3, -1, 2], weights=[1, 2, 1])",
         {-1, 3, false, false}},
        {Distribution(Fixed{4}), "fixed", "fixed(value=4)", {4, 4, false, false}},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        CHECK(std::string(c.d.kind_name()) == c.kind);
        CHECK(c.d.describe() == c.text);
        const auto s = c.d.support();
        CHECK(s.low == c.support.low);
        CHECK(s.high == c.support.high);
        CHECK(s.low_open == c.support.low_open);
        CHECK(s.high_open == c.support.high_open);
        CHECK(std::isfinite(c.d.mean()));
        CHECK(std::isfinite(c.d.variance()));
    }
    CHECK(std::string(Distribution(BetaPercentiles{0.1, 0.4}).kind_name()) == "beta");
    // Closed forms worth pinning down.
    CHECK(Distribution(Pert{0, 1, 3}).mean() == doctest::Approx(7.0 / 6.0));
    CHECK(Distribution(Gamma{2, 0.5}).variance() == doctest::Approx(0.5));
    CHECK(Distribution(LogUniform{1, std::exp(1.0)}).mean() == doctest::Approx(std::exp(1.0) - 1));
    // loguniform's variance by its series when high/low is close to 1: (high - low)^2 / 12.
    CHECK(Distribution(LogUniform{1, 1 + 1e-6}).variance() ==
          doctest::Approx(1e-12 / 12).epsilon(1e-6));
    CHECK(Distribution(TruncNormal{0, 1, 0, inf}).mean() ==
          doctest::Approx(std::sqrt(2 / 3.141592653589793)));
    CHECK(Distribution(TruncNormal{0, 1, 0, inf}).variance() ==
          doctest::Approx(1 - 2 / 3.141592653589793));
    CHECK(Distribution(Discrete{{3, -1, 2}, {1, 2, 1}}).variance() ==
          doctest::Approx((9 + 2 + 4) / 4.0 - 0.75 * 0.75));
}

// ---- the experiment file ----------------------------------------------------------------------

namespace {

const std::string distributions_toml = R"([experiment]
name = "t"
model = "ishigami"
samples = 100
seed = 3

[model]
a = 7.0
b = 0.1

[parameters]
x1 = { dist = "lognormal", mu = 0.5, sigma = 0.25 }
x2 = { dist = "beta", p05 = 0.1, p95 = 0.4 }
x3 = { dist = "discrete", values = [1, 2.5, 4], weights = [1, 2, 1] }
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
    const auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    return text.replace(pos, from.size(), to);
}

std::string write_temp(const std::string& text) {
    static int counter = 0;
    const auto path =
        std::filesystem::temp_directory_path() /
        ("chiprace-dist-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".toml");
    std::ofstream(path) << text;
    return path.string();
}

/// The loaded experiment's parameter descriptions, or the error messages.
std::vector<std::string> load(const std::string& text) {
    const auto path = write_temp(text);
    std::vector<std::string> out;
    try {
        const auto ex = chiprace::config::load_experiment(path);
        for (const auto& p : ex.parameters.parameters())
            out.push_back(p.distribution.describe());
    } catch (const chiprace::ConfigError& e) {
        for (const auto& d : e.diagnostics())
            out.push_back("error: " + d.message);
    }
    std::filesystem::remove(path);
    return out;
}

bool has(const std::vector<std::string>& messages, const std::string& needle) {
    return std::any_of(messages.begin(), messages.end(),
                       [&](const std::string& m) { return m.find(needle) != std::string::npos; });
}

} // namespace

TEST_CASE("experiment files take every distribution and its alternative forms") {
    const auto loaded = load(distributions_toml);
    REQUIRE(loaded.size() == 3);
    CHECK(loaded[0] == "lognormal(mu=0.5, sigma=0.25)");
    CHECK(loaded[1].rfind("beta(p05=0.1, p95=0.4; fitted alpha=4.775", 0) == 0);
    CHECK(loaded[2] == "discrete(values=[1, 2.5, 4], weights=[1, 2, 1])");

    const std::string x1 = "x1 = { dist = \"lognormal\", mu = 0.5, sigma = 0.25 }";
    for (const auto& [line, text] : std::vector<std::pair<std::string, std::string>>{
             {"x1 = { dist = \"lognormal\", p05 = 1, p95 = 2 }", "lognormal(p05=1, p95=2)"},
             {"x1 = { dist = \"beta\", alpha = 2, beta = 3 }", "beta(alpha=2, beta=3)"},
             {"x1 = { dist = \"loguniform\", low = 1, high = 10 }", "loguniform(low=1, high=10)"},
             {"x1 = { dist = \"truncnormal\", mean = 0, sd = 1, low = 0, high = inf }",
              "truncnormal(mean=0, sd=1, low=0, high=inf)"},
             {"x1 = { dist = \"pert\", low = 1, mode = 2, high = 4 }",
              "pert(low=1, mode=2, high=4)"},
             {"x1 = { dist = \"gamma\", shape = 2, scale = 3 }", "gamma(shape=2, scale=3)"},
         }) {
        const auto got = load(with(distributions_toml, x1, line));
        REQUIRE(got.size() == 3);
        CHECK(got[0] == text);
    }
}

TEST_CASE("experiment files: mixed forms, missing keys, arrays and typos are explained") {
    const std::string x1 = "x1 = { dist = \"lognormal\", mu = 0.5, sigma = 0.25 }";
    auto errors_with = [&](const std::string& line) {
        return load(with(distributions_toml, x1, line));
    };
    CHECK(has(errors_with("x1 = { dist = \"lognormal\", p05 = 1, sigma = 0.25 }"),
              "error: parameter 'x1' (lognormal) takes either p05 and p95, or mu and sigma, not a "
              "mix (got p05, sigma)"));
    CHECK(has(errors_with("x1 = { dist = \"beta\", alpha = 2, p95 = 0.4 }"),
              "error: parameter 'x1' (beta) takes either alpha and beta, or p05 and p95, not a mix "
              "(got alpha, p95)"));
    CHECK(has(errors_with("x1 = { dist = \"lognormal\" }"),
              "error: parameter 'x1' (lognormal) takes either p05 and p95, or mu and sigma"));
    CHECK(has(errors_with("x1 = { dist = \"lognormal\", mu = 0.5 }"),
              "error: parameter 'x1' (lognormal) is missing 'sigma'"));
    CHECK(has(errors_with("x1 = { dist = \"lognormal\", mu = 0.5, sigm = 1 }"),
              "did you mean 'sigma'?"));
    CHECK(has(errors_with("x1 = { dist = \"gama\", shape = 1, scale = 1 }"),
              "unknown distribution 'gama'; did you mean 'gamma'?"));
    CHECK(has(errors_with("x1 = { dist = \"weibull\", shape = 1, scale = 1 }"),
              "available: uniform, loguniform, normal, truncnormal, lognormal, beta, pert, "
              "triangular, gamma, discrete, fixed"));
    CHECK(has(errors_with("x1 = { dist = \"gamma\", shape = -1, scale = 1 }"),
              "error: parameter 'x1' (gamma): shape must be a positive number (got -1)"));
    CHECK(has(errors_with("x1 = { dist = \"truncnormal\", mean = 0, sd = 1, low = 2 }"),
              "error: parameter 'x1' (truncnormal) is missing 'high'"));
    CHECK(has(errors_with("x1 = { dist = \"beta\", p05 = 0.5, p95 = 0.5000001 }"),
              "error: parameter 'x1' (beta): no beta distribution could be fitted"));

    const std::string x3 =
        "x3 = { dist = \"discrete\", values = [1, 2.5, 4], weights = [1, 2, 1] }";
    auto discrete_errors = [&](const std::string& line) {
        return load(with(distributions_toml, x3, line));
    };
    CHECK(has(discrete_errors("x3 = { dist = \"discrete\", values = [1, 2], weights = [1] }"),
              "error: parameter 'x3' (discrete): values and weights must have the same length "
              "(got 2 values and 1 weights)"));
    CHECK(has(discrete_errors("x3 = { dist = \"discrete\", values = 1, weights = [1] }"),
              "error: parameter 'x3': values must be an array of numbers"));
    CHECK(
        has(discrete_errors("x3 = { dist = \"discrete\", values = [1, \"b\"], weights = [1, 1] }"),
            "error: parameter 'x3': values[1] must be a number"));
    CHECK(has(discrete_errors("x3 = { dist = \"discrete\", values = [1, 2], weights = [1, -1] }"),
              "weights must be nonnegative numbers (got weights[1] = -1)"));
    CHECK(has(discrete_errors("x3 = { dist = \"discrete\", values = [], weights = [] }"),
              "values must have at least one entry"));
    CHECK(has(discrete_errors("x3 = { dist = \"discrete\", values = [1, 2] }"),
              "error: parameter 'x3' (discrete) is missing 'weights'"));
}
