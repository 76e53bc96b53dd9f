// Sobol' indices and Morris screening against analytic cases: the estimators in stats/, fed by
// the real designs and models, without the runner (tests/integration covers the file).

#include "chiprace/design/monte_carlo_design.hpp"
#include "chiprace/design/morris_design.hpp"
#include "chiprace/design/saltelli_design.hpp"
#include "chiprace/design/sobol_design.hpp"
#include "chiprace/model/ishigami.hpp"
#include "chiprace/model/sobol_g.hpp"
#include "chiprace/random/parameter_space.hpp"
#include "chiprace/random/uniform_block.hpp"
#include "chiprace/stats/interval.hpp"
#include "chiprace/stats/morris_sums.hpp"
#include "chiprace/stats/sobol_sums.hpp"

#include <algorithm>
#include <cmath>
#include <doctest/doctest.h>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

using namespace chiprace;

namespace {

/// f over a block of parameter values (column-major, d × n) into y (n).
using BlockFunction =
    std::function<void(std::span<const double> values, std::size_t n, std::span<double> y)>;

BlockFunction of_model(const model::Model& m) {
    return [&m](std::span<const double> values, std::size_t n, std::span<double> y) {
        model::OutputBlock out(y, n);
        m.evaluate(0, model::InputBlock(values, n), out);
    };
}

std::vector<random::Parameter> uniform_parameters(std::size_t d, double low, double high) {
    std::vector<random::Parameter> p;
    for (std::size_t k = 0; k < d; ++k) {
        std::string name = "x";
        name += std::to_string(k + 1);
        p.push_back({name, random::Distribution(random::Uniform{low, high}), "", ""});
    }
    return p;
}

/// Poisson(1) bootstrap weights of base points [first, first + n), replicate-major.
std::vector<double> weights(std::uint64_t seed, std::uint64_t first, std::size_t n,
                            std::size_t replicates) {
    std::vector<double> w(n * replicates);
    random::uniform_open01_block(seed, first, n, random::StreamPurpose::bootstrap, 0, replicates,
                                 w);
    for (auto& v : w)
        v = stats::poisson1_from_uniform(v);
    return w;
}

/// Sobol' sums of f over N base points of a Saltelli design with the given base.
stats::SobolSums sobol_sums(const BlockFunction& f, const random::ParameterSpace& space,
                            std::uint64_t base_points, std::uint64_t seed, bool sobol_base,
                            std::size_t replicates = 100) {
    const std::size_t d = space.dimension();
    std::unique_ptr<design::Design> base;
    if (sobol_base)
        base = std::make_unique<design::SobolDesign>(seed, 2 * d, base_points, true);
    else
        base = std::make_unique<design::MonteCarloDesign>(seed, 2 * d, base_points);
    const design::SaltelliDesign saltelli(std::move(base), d, false);
    const std::size_t roles = saltelli.roles();
    stats::SobolSums sums(d, replicates);
    // One shift for the whole run, f(A) of base point 0: it leaves the indices unchanged.
    double shift = 0.0;
    const std::uint64_t chunk = 512; // base points per pass
    for (std::uint64_t first = 0; first < base_points; first += chunk) {
        const std::size_t m = std::min(chunk, base_points - first);
        const std::size_t n = m * roles;
        std::vector<double> unit(d * n), values(d * n), y(n);
        saltelli.unit_points(first * roles, n, unit);
        space.to_values(unit, n, values);
        f(values, n, y);
        if (first == 0)
            shift = y[0];
        const auto w = weights(seed, first, m, replicates);
        std::vector<double> wj(replicates);
        for (std::size_t j = 0; j < m; ++j) {
            const double* g = y.data() + j * roles;
            for (std::size_t r = 0; r < replicates; ++r)
                wj[r] = w[r * m + j];
            std::vector<double> ab(d);
            for (std::size_t k = 0; k < d; ++k)
                ab[k] = g[2 + k] - shift;
            sums.add(g[0] - shift, g[1] - shift, ab, wj);
        }
    }
    return sums;
}

/// |estimate − truth| within 4 standard errors of the delta method (half-width / z).
void check_indices(const stats::SobolEstimate& e, std::span<const double> first,
                   std::span<const double> total, double max_se) {
    const double z = stats::normal_two_sided_z(0.95);
    for (std::size_t k = 0; k < first.size(); ++k) {
        const double se1 = e.first_delta_conf[k] / z, set = e.total_delta_conf[k] / z;
        INFO("parameter " << k << ": S1 " << e.first[k] << " (true " << first[k] << ", se " << se1
                          << "), ST " << e.total[k] << " (true " << total[k] << ", se " << set
                          << ")");
        CHECK(se1 < max_se);
        CHECK(set < max_se);
        CHECK(std::abs(e.first[k] - first[k]) <= 4 * se1);
        CHECK(std::abs(e.total[k] - total[k]) <= 4 * set);
    }
}

const std::vector<double> ishigami_first{0.313905, 0.442411, 0.0};
const std::vector<double> ishigami_total{0.557589, 0.442411, 0.243684};

} // namespace

// Tolerance: 4 standard errors of the delta method at N = 2^14 base points (5 N runs), and
// each standard error must itself be below 0.02, so that the check has teeth.
TEST_CASE("Sobol indices of Ishigami (a = 7, b = 0.1) within 4 standard errors of the truth") {
    const double pi = std::numbers::pi;
    const random::ParameterSpace space(uniform_parameters(3, -pi, pi));
    const model::Ishigami ishigami(7, 0.1, 0, 1, 2);
    for (const bool sobol_base : {true, false}) {
        const auto e =
            sobol_sums(of_model(ishigami), space, 1u << 14, 11, sobol_base).estimate(0.95);
        const std::string base = sobol_base ? "scrambled Sobol' base" : "Monte Carlo base";
        INFO(base);
        CHECK(e.n == (1u << 14));
        CHECK(e.skipped == 0);
        check_indices(e, ishigami_first, ishigami_total, 0.02);
    }
}

TEST_CASE("Sobol indices of the G function (a = 0, 1, 4.5, 9, 99 x 4) within 4 standard errors") {
    const std::vector<double> a{0, 1, 4.5, 9, 99, 99, 99, 99};
    std::vector<std::size_t> idx(a.size());
    for (std::size_t k = 0; k < a.size(); ++k)
        idx[k] = k;
    const random::ParameterSpace space(uniform_parameters(a.size(), 0, 1));
    const model::SobolG g(a, idx);
    // V_k = 1 / (3 (1 + a_k)^2); V = prod(1 + V_k) - 1; ST_k = V_k prod_{j != k}(1 + V_j) / V.
    std::vector<double> vk(a.size()), first(a.size()), total(a.size());
    double prod = 1;
    for (std::size_t k = 0; k < a.size(); ++k) {
        vk[k] = 1.0 / (3.0 * (1 + a[k]) * (1 + a[k]));
        prod *= 1 + vk[k];
    }
    for (std::size_t k = 0; k < a.size(); ++k) {
        first[k] = vk[k] / (prod - 1);
        total[k] = vk[k] * prod / (1 + vk[k]) / (prod - 1);
    }
    CHECK(first[0] == doctest::Approx(0.71619).epsilon(1e-4));
    CHECK(total[1] == doctest::Approx(0.24220).epsilon(1e-4));
    const auto e = sobol_sums(of_model(g), space, 1u << 14, 5, true).estimate(0.95);
    // S1 of x1 (0.716) has the largest standard error here, 0.023 at N = 2^14.
    check_indices(e, first, total, 0.03);
}

TEST_CASE("Sobol indices of a linear model equal c_k^2 sd_k^2 / sum, first and total alike") {
    const std::vector<double> c{1.0, -2.0, 0.5, 3.0}, sd{1.0, 0.5, 2.0, 0.1};
    std::vector<random::Parameter> p = uniform_parameters(c.size(), 0, 1);
    for (std::size_t k = 0; k < c.size(); ++k)
        p[k].distribution =
            random::Distribution(random::Normal{10.0 * static_cast<double>(k), sd[k]});
    const random::ParameterSpace space(p);
    const BlockFunction linear = [&](std::span<const double> x, std::size_t n,
                                     std::span<double> y) {
        for (std::size_t i = 0; i < n; ++i) {
            y[i] = 1000.0; // a large mean: the shift must keep S1 accurate
            for (std::size_t k = 0; k < c.size(); ++k)
                y[i] += c[k] * x[k * n + i];
        }
    };
    double v = 0;
    for (std::size_t k = 0; k < c.size(); ++k)
        v += c[k] * c[k] * sd[k] * sd[k];
    std::vector<double> truth(c.size());
    for (std::size_t k = 0; k < c.size(); ++k)
        truth[k] = c[k] * c[k] * sd[k] * sd[k] / v;
    const auto e = sobol_sums(linear, space, 1u << 13, 3, true).estimate(0.95);
    check_indices(e, truth, truth, 0.02);
}

// Over 100 seeds at N = 2^12 with a Monte Carlo base (independent base points, the case the
// intervals assume), each of the six 95% intervals must contain its true Ishigami index in at
// least 88 of 100 runs (a binomial(100, 0.95) count falls below 89 with probability < 0.5%).
TEST_CASE("the 95 percent intervals cover the true Ishigami indices in at least 88 of 100 runs") {
    const double pi = std::numbers::pi;
    const random::ParameterSpace space(uniform_parameters(3, -pi, pi));
    const model::Ishigami ishigami(7, 0.1, 0, 1, 2);
    std::vector<int> boot_hits(6, 0), delta_hits(6, 0);
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        const auto e =
            sobol_sums(of_model(ishigami), space, 1u << 12, 1000 + seed, false).estimate(0.95);
        for (std::size_t k = 0; k < 3; ++k) {
            boot_hits[k] +=
                e.first_low[k] <= ishigami_first[k] && ishigami_first[k] <= e.first_high[k];
            boot_hits[3 + k] +=
                e.total_low[k] <= ishigami_total[k] && ishigami_total[k] <= e.total_high[k];
            delta_hits[k] += std::abs(e.first[k] - ishigami_first[k]) <= e.first_delta_conf[k];
            delta_hits[3 + k] += std::abs(e.total[k] - ishigami_total[k]) <= e.total_delta_conf[k];
        }
    }
    for (std::size_t i = 0; i < 6; ++i) {
        INFO("index " << (i < 3 ? "S" : "ST") << (i % 3 + 1) << ": bootstrap " << boot_hits[i]
                      << "/100, delta method " << delta_hits[i] << "/100");
        CHECK(boot_hits[i] >= 88);
        CHECK(delta_hits[i] >= 88);
    }
    MESSAGE("coverage (S1..S3, ST1..ST3): bootstrap "
            << boot_hits[0] << " " << boot_hits[1] << " " << boot_hits[2] << " " << boot_hits[3]
            << " " << boot_hits[4] << " " << boot_hits[5] << "; delta " << delta_hits[0] << " "
            << delta_hits[1] << " " << delta_hits[2] << " " << delta_hits[3] << " " << delta_hits[4]
            << " " << delta_hits[5]);
}

// Ishigami's only interaction is x1-x3: S13 = ST1 - S1 = 0.243684, S12 = S23 = 0. Tolerance:
// 4 bootstrap standard deviations (conf / z) at N = 2^14 with a Monte Carlo base.
TEST_CASE("second-order Sobol indices of Ishigami find the x1-x3 interaction alone") {
    const double pi = std::numbers::pi;
    const random::ParameterSpace space(uniform_parameters(3, -pi, pi));
    const model::Ishigami ishigami(7, 0.1, 0, 1, 2);
    const std::size_t d = 3, replicates = 100;
    const std::uint64_t base_points = 1u << 14;
    const design::SaltelliDesign saltelli(
        std::make_unique<design::MonteCarloDesign>(21, 2 * d, base_points), d, true);
    const std::size_t roles = saltelli.roles();
    CHECK(roles == 2 * d + 2);
    const std::size_t n = base_points * roles;
    std::vector<double> unit(d * n), values(d * n), y(n);
    saltelli.unit_points(0, n, unit);
    space.to_values(unit, n, values);
    of_model(ishigami)(values, n, y);
    const auto w = weights(21, 0, base_points, replicates);
    stats::SobolSums sums(d, replicates, true);
    std::vector<double> ab(d), ba(d), wj(replicates);
    for (std::size_t j = 0; j < base_points; ++j) {
        const double* g = y.data() + j * roles;
        for (std::size_t k = 0; k < d; ++k) {
            ab[k] = g[2 + k] - y[0];
            ba[k] = g[2 + d + k] - y[0];
        }
        for (std::size_t r = 0; r < replicates; ++r)
            wj[r] = w[r * base_points + j];
        sums.add(g[0] - y[0], g[1] - y[0], ab, wj, ba);
    }
    const auto e = sums.estimate(0.95);
    const double z = stats::normal_two_sided_z(0.95);
    const double truth[3][3] = {{0, 0, 0.243684}, {0, 0, 0}, {0.243684, 0, 0}};
    for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k < d; ++k) {
            if (j == k) {
                CHECK(std::isnan(e.second[j * d + k]));
                continue;
            }
            const double est = e.second[j * d + k], sd = e.second_conf[j * d + k] / z;
            INFO("S2(" << j + 1 << ", " << k + 1 << ") = " << est << ", bootstrap sd " << sd);
            CHECK(est == e.second[k * d + j]);
            CHECK(sd < 0.03);
            CHECK(std::abs(est - truth[j][k]) <= 4 * sd);
        }
    // Without second order there are none, and mixing the two shapes is refused.
    CHECK(stats::SobolSums(d, 0).estimate(0.95).second.empty());
    stats::SobolSums plain(d, replicates);
    CHECK_THROWS(plain.add(1.0, 2.0, ab, wj, ba));
}

TEST_CASE("Sobol sums merge and round-trip through serialization") {
    const double pi = std::numbers::pi;
    const random::ParameterSpace space(uniform_parameters(3, -pi, pi));
    const model::Ishigami ishigami(7, 0.1, 0, 1, 2);
    const auto whole = sobol_sums(of_model(ishigami), space, 1024, 9, false, 20);
    std::vector<double> flat{1.5};
    whole.serialize(flat);
    std::size_t pos = 1;
    const auto back = stats::SobolSums::deserialize(flat, pos);
    CHECK(pos == flat.size());
    const auto a = whole.estimate(0.9), b = back.estimate(0.9);
    CHECK(a.first == b.first);
    CHECK(a.total_high == b.total_high);
    auto merged = back;
    merged.merge(back);
    CHECK(merged.count() == 2 * whole.count());
    // The same base points twice: the same indices.
    CHECK(merged.estimate(0.9).first[1] == doctest::Approx(a.first[1]).epsilon(1e-12));
    pos = 0;
    const std::vector<double> truncated(flat.begin() + 1, flat.end() - 1);
    CHECK_THROWS(stats::SobolSums::deserialize(truncated, pos));
}

TEST_CASE("Morris mu-star ranks the G function's parameters as their a_k do") {
    const std::vector<double> a{0, 1, 4.5, 9, 99, 99, 99, 99};
    std::vector<std::size_t> idx(a.size());
    for (std::size_t k = 0; k < a.size(); ++k)
        idx[k] = k;
    const random::ParameterSpace space(uniform_parameters(a.size(), 0, 1));
    const model::SobolG g(a, idx);
    const std::size_t d = a.size();
    const std::uint64_t trajectories = 200;
    const design::MorrisDesign morris(17, d, trajectories, 4);
    const std::size_t n = trajectories * (d + 1);
    std::vector<double> unit(d * n), values(d * n), y(n);
    morris.unit_points(0, n, unit);
    space.to_values(unit, n, values);
    of_model(g)(values, n, y);
    const std::size_t replicates = 50;
    const auto w = weights(17, 0, trajectories, replicates);
    stats::MorrisSums sums(d, replicates);
    std::vector<std::size_t> moved(d);
    std::vector<double> step(d), wt(replicates);
    for (std::uint64_t t = 0; t < trajectories; ++t) {
        for (std::size_t i = 0; i < d; ++i) {
            moved[i] = morris.moved_dimension(t * (d + 1) + i + 1);
            step[i] = morris.step(t * (d + 1) + i + 1);
        }
        for (std::size_t r = 0; r < replicates; ++r)
            wt[r] = w[r * trajectories + t];
        sums.add(std::span<const double>(y).subspan(t * (d + 1), d + 1), moved, step, wt);
    }
    const auto e = sums.estimate(0.95);
    INFO("mu* = " << e.mu_star[0] << " " << e.mu_star[1] << " " << e.mu_star[2] << " "
                  << e.mu_star[3] << " " << e.mu_star[4]);
    CHECK(e.trajectories == trajectories);
    CHECK(e.mu_star[0] > e.mu_star[1]);
    CHECK(e.mu_star[1] > e.mu_star[2]);
    CHECK(e.mu_star[2] > e.mu_star[3]);
    for (std::size_t k = 4; k < d; ++k) {
        CHECK(e.mu_star[3] > e.mu_star[k]);
        CHECK(e.mu_star_low[k] <= e.mu_star[k]);
        CHECK(e.mu_star[k] <= e.mu_star_high[k]);
    }
    // |mu| <= mu*, sigma >= 0.
    for (std::size_t k = 0; k < d; ++k) {
        CHECK(std::abs(e.mu[k]) <= e.mu_star[k] + 1e-15);
        CHECK(e.sigma[k] >= 0);
    }
}

// Zero-variance outputs (docs/sensitivity.md, "Outputs without variance"): a constant output,
// a policy contrast that is zero in some year, a single base point. Every Sobol' index and
// interval is NaN, second order included (d x d, as when defined), with the reason; Morris
// gives the elementary effects of a constant, 0.
namespace {

/// N base points of the same values for every run: y for f(A), f(B), every f(A_B^k), f(B_A^k).
stats::SobolEstimate sobol_of_constant(double y, std::size_t d, std::uint64_t base_points,
                                       bool second_order) {
    const std::size_t replicates = 20;
    stats::SobolSums sums(d, replicates, second_order);
    const auto w = weights(5, 0, base_points, replicates);
    std::vector<double> wj(replicates), ab(d, y), ba(second_order ? d : 0, y);
    for (std::uint64_t j = 0; j < base_points; ++j) {
        for (std::size_t r = 0; r < replicates; ++r)
            wj[r] = w[r * base_points + j];
        sums.add(y, y, ab, wj, ba);
    }
    return sums.estimate(0.95);
}

void check_all_nan(const stats::SobolEstimate& e, std::size_t d, bool second_order) {
    for (const auto* v :
         {&e.first, &e.total, &e.first_conf, &e.total_conf, &e.first_delta_conf,
          &e.total_delta_conf, &e.first_low, &e.first_high, &e.total_low, &e.total_high}) {
        REQUIRE(v->size() == d);
        for (const double x : *v)
            CHECK(std::isnan(x));
    }
    for (const auto* v : {&e.second, &e.second_conf, &e.second_low, &e.second_high}) {
        REQUIRE(v->size() == (second_order ? d * d : 0));
        for (const double x : *v)
            CHECK(std::isnan(x));
    }
}

} // namespace

TEST_CASE("Sobol indices of a zero-variance output are NaN with the reason, second order too") {
    const std::size_t d = 4;
    for (const bool second_order : {false, true}) {
        // 0: a contrast of two equal policies (after the shift); 0.1, 1e26: constants whose
        // b - c^2 is a rounding residue of either sign, not exactly 0.
        for (const double y : {0.0, 0.1, 1e26, -7.3}) {
            INFO("second order " << second_order << ", y = " << y);
            const auto e = sobol_of_constant(y, d, 1000, second_order);
            CHECK(e.n == 1000);
            CHECK(e.variance == 0.0);
            CHECK(e.undefined_reason == stats::undefined_zero_variance);
            check_all_nan(e, d, second_order);
        }
    }
}

TEST_CASE("Sobol indices of a single base point, or of none, are NaN with the reason") {
    const std::size_t d = 3;
    for (const bool second_order : {false, true}) {
        INFO("second order " << second_order);
        const auto one = sobol_of_constant(2.5, d, 1, second_order);
        CHECK(one.n == 1);
        CHECK(std::isnan(one.variance));
        CHECK(one.undefined_reason == stats::undefined_single_base_point);
        check_all_nan(one, d, second_order);

        const auto none = stats::SobolSums(d, 10, second_order).estimate(0.95);
        CHECK(none.undefined_reason == stats::undefined_no_base_point);
        check_all_nan(none, d, second_order);

        stats::SobolSums bad(d, 0, second_order);
        const std::vector<double> ab(d, 1.0), ba(second_order ? d : 0, 1.0);
        bad.add(NAN, 1.0, ab, {}, ba);
        const auto skipped = bad.estimate(0.95);
        CHECK(skipped.skipped == 1);
        CHECK(skipped.undefined_reason == stats::undefined_no_finite_base_point);
        check_all_nan(skipped, d, second_order);
    }
}

TEST_CASE("a varying output has defined indices and no undefined reason") {
    // The control of the two cases above: the same sums, with values that vary.
    const double pi = std::numbers::pi;
    const random::ParameterSpace space(uniform_parameters(3, -pi, pi));
    const model::Ishigami ishigami(7, 0.1, 0, 1, 2);
    const auto e = sobol_sums(of_model(ishigami), space, 64, 3, true, 20).estimate(0.95);
    CHECK(e.undefined_reason.empty());
    CHECK(e.variance > 1.0);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(std::isfinite(e.total[k]));
        CHECK(std::isfinite(e.total_low[k]));
    }
}

TEST_CASE("Morris of a constant output: every elementary effect is 0, so mu, mu*, sigma are 0") {
    const std::size_t d = 3, replicates = 20;
    const design::MorrisDesign morris(23, d, 50, 4);
    const auto w = weights(23, 0, 50, replicates);
    auto run = [&](std::uint64_t trajectories, double y) {
        stats::MorrisSums sums(d, replicates);
        std::vector<std::size_t> moved(d);
        std::vector<double> step(d), wt(replicates), f(d + 1, y);
        for (std::uint64_t t = 0; t < trajectories; ++t) {
            for (std::size_t i = 0; i < d; ++i) {
                moved[i] = morris.moved_dimension(t * (d + 1) + i + 1);
                step[i] = morris.step(t * (d + 1) + i + 1);
            }
            for (std::size_t r = 0; r < replicates; ++r)
                wt[r] = w[r * 50 + t];
            sums.add(f, moved, step, wt);
        }
        return sums.estimate(0.95);
    };
    for (const double y : {0.0, 0.1, 1e26}) {
        const auto e = run(50, y);
        CHECK(e.undefined_reason.empty());
        for (const auto* v :
             {&e.mu, &e.mu_star, &e.sigma, &e.mu_star_conf, &e.mu_star_low, &e.mu_star_high}) {
            REQUIRE(v->size() == d);
            for (const double x : *v)
                CHECK(x == 0.0);
        }
    }
    // One trajectory: its effects, but no spread and no interval (a bootstrap of one draw would
    // claim a zero-width interval).
    const auto one = run(1, 4.0);
    CHECK(one.trajectories == 1);
    CHECK(one.undefined_reason == stats::morris_single_trajectory);
    for (std::size_t k = 0; k < d; ++k) {
        CHECK(one.mu_star[k] == 0.0);
        CHECK(std::isnan(one.sigma[k]));
        CHECK(std::isnan(one.mu_star_conf[k]));
        CHECK(std::isnan(one.mu_star_low[k]));
        CHECK(std::isnan(one.mu_star_high[k]));
    }
    const auto none = stats::MorrisSums(d, replicates).estimate(0.95);
    CHECK(none.undefined_reason == stats::morris_no_trajectory);
    CHECK(std::isnan(none.mu_star[0]));
}
