// The whole pure pipeline (design → marginals → model) against closed-form moments.

#include "chiprace/design/monte_carlo_design.hpp"
#include "chiprace/model/ishigami.hpp"
#include "chiprace/model/sobol_g.hpp"
#include "chiprace/random/parameter_space.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <numbers>
#include <vector>

using namespace chiprace;

namespace {

std::vector<double> simulate(const model::Model& m, const random::ParameterSpace& space,
                             std::uint64_t seed, std::size_t n) {
    const design::MonteCarloDesign mc(seed, space.dimension());
    std::vector<double> unit(space.dimension() * n), values(unit.size()), y(n);
    mc.unit_points(0, n, unit);
    space.to_values(unit, n, values);
    model::OutputBlock out(y, n);
    m.evaluate(0, model::InputBlock(values, n), out);
    return y;
}

struct SampleMoments {
    double mean, var, m4;
};

SampleMoments moments(const std::vector<double>& y) {
    const double n = static_cast<double>(y.size());
    double mean = 0;
    for (const double v : y)
        mean += v;
    mean /= n;
    double m2 = 0, m4 = 0;
    for (const double v : y) {
        const double d2 = (v - mean) * (v - mean);
        m2 += d2;
        m4 += d2 * d2;
    }
    return {mean, m2 / n, m4 / n};
}

} // namespace

TEST_CASE("Ishigami mean and variance within 4 standard errors of the closed forms") {
    const double pi = std::numbers::pi;
    std::vector<random::Parameter> p;
    for (const char* name : {"x1", "x2", "x3"})
        p.push_back({name, random::Distribution(random::Uniform{-pi, pi}), "", ""});
    const random::ParameterSpace space(p);
    const model::Ishigami f(7.0, 0.1, 0, 1, 2);
    const std::size_t n = 100000;
    for (const std::uint64_t seed : {1u, 42u, 2024u}) {
        const auto m = moments(simulate(f, space, seed, n));
        const double se_mean = std::sqrt(m.var / n);
        const double se_var = std::sqrt((m.m4 - m.var * m.var) / n);
        INFO("seed " << seed << " mean " << m.mean << " var " << m.var);
        CHECK(std::abs(m.mean - model::Ishigami::exact_mean(7, 0.1)) < 4 * se_mean);
        CHECK(std::abs(m.var - model::Ishigami::exact_variance(7, 0.1)) < 4 * se_var);
    }
}

TEST_CASE("Sobol G mean and variance within 4 standard errors of the closed forms") {
    const std::vector<double> a{0, 1, 4.5, 9, 99, 99, 99, 99};
    std::vector<random::Parameter> p;
    std::vector<std::size_t> idx;
    for (std::size_t k = 0; k < a.size(); ++k) {
        // Not "x" + to_string(): GCC 12 warns falsely (-Wrestrict, its bug 105329) at -O3.
        std::string name = "x";
        name += std::to_string(k + 1);
        p.push_back({name, random::Distribution(random::Uniform{0, 1}), "", ""});
        idx.push_back(k);
    }
    const random::ParameterSpace space(p);
    const model::SobolG g(a, idx);
    const std::size_t n = 100000;
    const auto m = moments(simulate(g, space, 7, n));
    CHECK(std::abs(m.mean - 1.0) < 4 * std::sqrt(m.var / n));
    CHECK(std::abs(m.var - model::SobolG::exact_variance(a)) <
          4 * std::sqrt((m.m4 - m.var * m.var) / n));
}
