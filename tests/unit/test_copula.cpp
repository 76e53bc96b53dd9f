// Rank correlations through the Gaussian copula: targets met, marginals kept, bad matrices refused.

#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/core/diagnostic.hpp"
#include "chiprace/design/monte_carlo_design.hpp"
#include "chiprace/random/gaussian_copula.hpp"
#include "experiment_text.hpp"

#include <algorithm>
#include <cmath>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <unistd.h>

using namespace chiprace;

namespace {

std::vector<double> ranks(std::span<const double> x) {
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
    std::vector<double> r(x.size());
    for (std::size_t k = 0; k < order.size(); ++k)
        r[order[k]] = static_cast<double>(k);
    return r;
}

double spearman(std::span<const double> x, std::span<const double> y) {
    const auto rx = ranks(x), ry = ranks(y);
    const double n = static_cast<double>(x.size()), mean = (n - 1) / 2;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    return sxy / std::sqrt(sxx * syy);
}

} // namespace

TEST_CASE(
    "the copula meets Spearman targets within 0.02 at N = 1e5 and keeps the marginals uniform") {
    const std::size_t d = 4, n = 100000;
    const std::vector<random::RankCorrelation> targets{{0, 1, 0.7}, {1, 3, -0.4}, {0, 3, -0.2}};
    auto made = random::GaussianCopula::make(d, targets);
    REQUIRE(std::holds_alternative<random::GaussianCopula>(made));
    const auto& copula = std::get<random::GaussianCopula>(made);
    std::vector<double> u(d * n);
    design::MonteCarloDesign(17, d, n).unit_points(0, n, u);
    const auto before = u;
    copula.apply(u, n);
    auto col = [&](std::size_t j) { return std::span<const double>(u).subspan(j * n, n); };
    for (const auto& t : targets) {
        INFO("pair " << t.first << "," << t.second);
        CHECK(std::abs(spearman(col(t.first), col(t.second)) - t.spearman) < 0.02);
    }
    CHECK(std::abs(spearman(col(0), col(2))) < 0.02); // untouched pairs stay independent
    // Column 2 is not involved: bit for bit unchanged.
    CHECK(std::equal(before.begin() + 2 * n, before.begin() + 3 * n, u.begin() + 2 * n));
    // Each correlated coordinate stays uniform: Kolmogorov–Smirnov at the 0.1% level.
    for (const std::size_t j : {0u, 1u, 3u}) {
        std::vector<double> x(col(j).begin(), col(j).end());
        std::sort(x.begin(), x.end());
        double dmax = 0;
        for (std::size_t i = 0; i < n; ++i)
            dmax = std::max({dmax, std::abs(x[i] - static_cast<double>(i) / n),
                             std::abs(x[i] - static_cast<double>(i + 1) / n)});
        CHECK(dmax * std::sqrt(static_cast<double>(n)) < 1.95);
        CHECK(x.front() > 0.0);
        CHECK(x.back() < 1.0);
    }
}

TEST_CASE("a matrix that is not positive definite is refused with a pair named") {
    // 0~1 and 1~2 strongly positive, 0~2 strongly negative: impossible together.
    const auto made = random::GaussianCopula::make(3, {{0, 1, 0.9}, {1, 2, 0.9}, {0, 2, -0.9}});
    REQUIRE(std::holds_alternative<random::GaussianCopula::Failure>(made));
    const auto f = std::get<random::GaussianCopula::Failure>(made);
    CHECK(f.second == 2);

    std::string message;
    for (const auto& d : testing::config_errors(
             "[experiment]\nname = \"c\"\nmodel = \"ishigami\"\nsamples = 10\n"
             "[parameters]\nx1 = { dist = \"uniform\", low = 0, high = 1 }\n"
             "x2 = { dist = \"uniform\", low = 0, high = 1 }\n"
             "x3 = { dist = \"uniform\", low = 0, high = 1 }\n"
             "[correlations]\nx1 = { x2 = 0.9, x3 = -0.9 }\nx2 = { x3 = 0.9 }\n"))
        message += d.to_string();
    CHECK(message.find("not positive definite") != std::string::npos);
    CHECK(message.find("'x3'") != std::string::npos);
}

TEST_CASE("correlation config errors") {
    auto errors_of = [](const std::string& extra, const std::string& design = "mc") {
        std::string message;
        for (const auto& d : testing::config_errors(
                 "[experiment]\nname = \"c\"\nmodel = \"ishigami\"\nsamples = 10\ndesign = \"" +
                 design +
                 "\"\n[parameters]\nx1 = { dist = \"uniform\", low = 0, high = 1 }\n"
                 "x2 = { dist = \"uniform\", low = 0, high = 1 }\n"
                 "x3 = { dist = \"uniform\", low = 0, high = 1 }\n[correlations]\n" +
                 extra))
            message += d.to_string();
        return message;
    };
    CHECK(errors_of("x1 = { x2 = 1.0 }\n").find("must be a number in (-1, 1)") !=
          std::string::npos);
    CHECK(errors_of("x1 = { x22 = 0.5 }\n").find("'x22' is not a parameter; did you mean 'x2'?") !=
          std::string::npos);
    CHECK(errors_of("x1 = { x1 = 0.5 }\n").find("itself") != std::string::npos);
    CHECK(errors_of("x1 = { x2 = 0.5 }\nx2 = { x1 = 0.5 }\n").find("given twice") !=
          std::string::npos);
    CHECK(errors_of("x1 = { x2 = 0.5 }\n", "saltelli").find("assume independent inputs") !=
          std::string::npos);
    CHECK(errors_of("x1 = { x2 = 0.5 }\n").empty());
}
