// Sampling designs: the structure each one promises, checked directly.

#include "chiprace/design/grid_design.hpp"
#include "chiprace/design/keyed_permutation.hpp"
#include "chiprace/design/latin_hypercube_design.hpp"
#include "chiprace/design/monte_carlo_design.hpp"
#include "chiprace/design/morris_design.hpp"
#include "chiprace/design/saltelli_design.hpp"
#include "chiprace/design/sobol_design.hpp"

#include <algorithm>
#include <cmath>
#include <doctest/doctest.h>
#include <numbers>
#include <set>
#include <vector>

using namespace chiprace::design;

namespace {
std::vector<double> points(const Design& d, std::uint64_t first, std::size_t n) {
    std::vector<double> out(d.dimension() * n);
    d.unit_points(first, n, out);
    return out;
}
} // namespace

TEST_CASE("keyed permutations are bijections of 0..n-1, different per key") {
    for (const std::uint64_t n : {1u, 2u, 3u, 17u, 1000u, 4096u, 100003u}) {
        const KeyedPermutation p(n, 12345);
        std::vector<bool> seen(n, false);
        for (std::uint64_t i = 0; i < n; ++i) {
            const auto v = p(i);
            REQUIRE(v < n);
            REQUIRE_FALSE(seen[v]);
            seen[v] = true;
        }
    }
    const KeyedPermutation a(1000, 1), b(1000, 2);
    int same = 0;
    for (std::uint64_t i = 0; i < 1000; ++i)
        same += a(i) == b(i);
    CHECK(same < 20); // about one fixed agreement expected by chance
}

TEST_CASE("LHS hits every stratum of every dimension exactly once, also for N not a power of 2") {
    for (const std::uint64_t n : {1000u, 1024u, 7u}) {
        const LatinHypercubeDesign lhs(99, 6, n);
        // Computed in uneven pieces, as ranks would, to show pieces do not matter.
        std::vector<double> all;
        for (std::uint64_t first = 0; first < n; first += 37) {
            const std::size_t m = std::min<std::uint64_t>(37, n - first);
            const auto part = points(lhs, first, m);
            for (std::size_t j = 0; j < 6; ++j)
                for (std::size_t i = 0; i < m; ++i)
                    all.push_back(part[j * m + i]);
        }
        // all is piece by piece [dim][i]; regroup per dimension.
        for (std::size_t j = 0; j < 6; ++j) {
            std::vector<int> hits(n, 0);
            std::size_t pos = 0;
            for (std::uint64_t first = 0; first < n; first += 37) {
                const std::size_t m = std::min<std::uint64_t>(37, n - first);
                for (std::size_t i = 0; i < m; ++i) {
                    const double u = all[pos + j * m + i];
                    REQUIRE(u > 0.0);
                    REQUIRE(u < 1.0);
                    ++hits[static_cast<std::size_t>(u * static_cast<double>(n))];
                    CHECK(static_cast<std::uint64_t>(u * static_cast<double>(n)) ==
                          lhs.stratum(first + i, j));
                }
                pos += 6 * m;
            }
            CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
        }
    }
}

TEST_CASE("unscrambled Sobol' points are Joe & Kuo's, from point 0") {
    const SobolDesign s(0, 5, 8, /*scramble=*/false);
    // new-joe-kuo-6.21201, first points (Joe & Kuo 2008), dimensions 1-5; u = (y + 0.5)/2^32.
    const double expected[6][5] = {{0, 0, 0, 0, 0},
                                   {0.5, 0.5, 0.5, 0.5, 0.5},
                                   {0.75, 0.25, 0.25, 0.25, 0.75},
                                   {0.25, 0.75, 0.75, 0.75, 0.25},
                                   {0.375, 0.375, 0.625, 0.875, 0.375},
                                   {0.875, 0.875, 0.125, 0.375, 0.875}};
    const auto p = points(s, 0, 6);
    for (std::size_t i = 0; i < 6; ++i)
        for (std::size_t j = 0; j < 5; ++j)
            CHECK(std::abs(p[j * 6 + i] - expected[i][j]) < 1e-9); // the +0.5 / 2^32 offset
    // Starting mid-sequence gives the same points.
    const auto tail = points(s, 3, 3);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 5; ++j)
            CHECK(tail[j * 3 + i] == p[j * 6 + 3 + i]);
}

TEST_CASE("scrambled Sobol' points stay in (0,1) and keep the net: 2^m points fill 2^m cells") {
    const SobolDesign s(7, 3, 1024);
    const auto p = points(s, 0, 1024);
    for (const double u : p) {
        REQUIRE(u > 0.0);
        REQUIRE(u < 1.0);
    }
    for (std::size_t j = 0; j < 3; ++j) { // one point per interval of width 1/1024, per dimension
        std::set<int> cells;
        for (std::size_t i = 0; i < 1024; ++i)
            cells.insert(static_cast<int>(p[j * 1024 + i] * 1024));
        CHECK(cells.size() == 1024);
    }
}

TEST_CASE("on a smooth integrand, scrambled Sobol' RMSE at N = 2^14 is >= 10x below MC's") {
    // f(u) = prod_j (1 + (u_j - 1/2) * exp(u_j)) ... integral is known in closed form per factor:
    // int_0^1 (1 + (u - 1/2) e^u) du = 1 + [ (u - 3/2) e^u ]_0^1 = 1 + (-e/2 + 3/2).
    const std::size_t d = 5, n = 1u << 14;
    const double exact = std::pow(1.0 + 1.5 - std::numbers::e / 2.0, static_cast<double>(d));
    auto integral = [&](const Design& design) {
        const auto p = points(design, 0, n);
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            double f = 1;
            for (std::size_t j = 0; j < d; ++j) {
                const double u = p[j * n + i];
                f *= 1.0 + (u - 0.5) * std::exp(u);
            }
            sum += f;
        }
        return sum / static_cast<double>(n);
    };
    double se_sobol = 0, se_mc = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const double a = integral(SobolDesign(seed, d, n)) - exact;
        const double b = integral(MonteCarloDesign(seed, d, n)) - exact;
        se_sobol += a * a;
        se_mc += b * b;
    }
    const double ratio = std::sqrt(se_mc / se_sobol);
    MESSAGE("RMSE ratio MC / scrambled Sobol' at N = 2^14 over 20 seeds: " << ratio);
    CHECK(ratio >= 10.0);
}

TEST_CASE("Saltelli runs are A, B and A with one column from B, per base point") {
    const std::size_t d = 4;
    for (const bool second : {false, true}) {
        const SaltelliDesign s(std::make_unique<SobolDesign>(3, 2 * d, 64), d, second);
        const std::uint64_t r = second ? 2 * d + 2 : d + 2;
        CHECK(s.run_count() == 64 * r);
        const std::size_t n = static_cast<std::size_t>(s.run_count());
        const auto p = points(s, 0, n);
        const auto base = points(SobolDesign(3, 2 * d, 64), 0, 64);
        for (std::size_t b = 0; b < 64; ++b) {
            auto at = [&](std::uint64_t role, std::size_t j) { return p[j * n + b * r + role]; };
            for (std::size_t j = 0; j < d; ++j) {
                CHECK(at(0, j) == base[j * 64 + b]);       // A
                CHECK(at(1, j) == base[(d + j) * 64 + b]); // B
                for (std::size_t k = 0; k < d; ++k) {
                    CHECK(at(2 + k, j) == (j == k ? at(1, j) : at(0, j))); // A_B^k
                    if (second)
                        CHECK(at(2 + d + k, j) == (j == k ? at(0, j) : at(1, j))); // B_A^k
                }
            }
        }
        // Any run computed alone equals the same run computed in a block.
        const auto one = points(s, 13, 1);
        for (std::size_t j = 0; j < d; ++j)
            CHECK(one[j] == p[j * n + 13]);
    }
}

TEST_CASE("Morris trajectories move one dimension per step by half the range, each once") {
    const std::size_t d = 5;
    const MorrisDesign m(11, d, 30, 4);
    const std::size_t n = static_cast<std::size_t>(m.run_count());
    CHECK(n == 30 * (d + 1));
    const auto p = points(m, 0, n);
    for (std::size_t t = 0; t < 30; ++t) {
        std::set<std::size_t> moved;
        for (std::size_t s = 1; s <= d; ++s) {
            const std::size_t run = t * (d + 1) + s;
            std::size_t changed = 0, which = d;
            for (std::size_t j = 0; j < d; ++j) {
                const double delta = p[j * n + run] - p[j * n + run - 1];
                if (delta != 0.0) {
                    ++changed;
                    which = j;
                    CHECK(delta == doctest::Approx(m.step(run)));
                    CHECK(std::abs(delta) == doctest::Approx(0.5));
                }
            }
            CHECK(changed == 1);
            CHECK(which == m.moved_dimension(run));
            moved.insert(which);
        }
        CHECK(moved.size() == d);
        CHECK(m.moved_dimension(t * (d + 1)) == d);
    }
    for (const double u : p) {
        CHECK(u > 0.0);
        CHECK(u < 1.0);
    }
}

TEST_CASE("grid designs sweep every cell equally, the first axis slowest") {
    const GridDesign g(5, 3, 12, {{0, "a", {1, 2}}, {2, "c", {10, 20, 30}}});
    CHECK(g.cells() == 6);
    std::vector<double> values(3 * 12, -1);
    g.fixed_values(0, 12, values);
    for (std::size_t i = 0; i < 12; ++i) {
        CHECK(values[0 * 12 + i] == (i % 6 < 3 ? 1 : 2));
        CHECK(values[2 * 12 + i] == 10.0 * static_cast<double>(i % 3 + 1));
        CHECK(values[1 * 12 + i] == -1); // not swept: left to the marginal
    }
}
