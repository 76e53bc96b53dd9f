#include "chiprace/discovery/cart.hpp"
#include "chiprace/discovery/case_expression.hpp"
#include "chiprace/discovery/distributed_quantile.hpp"
#include "chiprace/discovery/order_key.hpp"
#include "chiprace/discovery/prim.hpp"
#include "chiprace/discovery/quasi_p.hpp"

#include <algorithm>
#include <barrier>
#include <cmath>
#include <doctest/doctest.h>
#include <random>
#include <thread>
#include <vector>

using namespace chiprace;
using namespace chiprace::discovery;

namespace {

/// Ranks simulated by threads: each reduction is an exchange through shared slots between two
/// barriers, so the discovery code runs exactly as it does over MPI.
class Exchange {
public:
    explicit Exchange(std::size_t ranks)
        : barrier_(static_cast<std::ptrdiff_t>(ranks)), sums_(ranks), mins_(ranks) {}
    std::barrier<>& barrier() { return barrier_; }
    std::vector<std::vector<std::uint64_t>>& sums() { return sums_; }
    std::vector<std::vector<double>>& mins() { return mins_; }

private:
    std::barrier<> barrier_;
    std::vector<std::vector<std::uint64_t>> sums_;
    std::vector<std::vector<double>> mins_;
};

class ThreadReduction final : public Reduction {
public:
    ThreadReduction(Exchange& e, std::size_t rank) : e_(e), rank_(rank) {}
    void sum(std::span<std::uint64_t> v) override {
        e_.sums()[rank_].assign(v.begin(), v.end());
        e_.barrier().arrive_and_wait();
        for (std::size_t i = 0; i < v.size(); ++i) {
            v[i] = 0;
            for (const auto& s : e_.sums())
                v[i] += s[i];
        }
        e_.barrier().arrive_and_wait();
    }
    void min(std::span<double> v) override {
        e_.mins()[rank_].assign(v.begin(), v.end());
        e_.barrier().arrive_and_wait();
        for (std::size_t i = 0; i < v.size(); ++i)
            for (const auto& s : e_.mins())
                v[i] = std::min(v[i], s[i]);
        e_.barrier().arrive_and_wait();
    }

private:
    Exchange& e_;
    std::size_t rank_;
};

struct Data {
    std::vector<std::vector<double>> x; // x[j][r]
    std::vector<std::uint8_t> y;
};

/// Rows split into `ranks` contiguous ranges, each handed to its own thread.
template <class F>
auto on_ranks(const Data& data, std::size_t ranks, F f) {
    using Result = decltype(f(PrimRows{}, std::declval<Reduction&>()));
    std::vector<Result> results(ranks);
    Exchange exchange(ranks);
    std::vector<std::thread> threads;
    const std::size_t n = data.y.size();
    for (std::size_t r = 0; r < ranks; ++r)
        threads.emplace_back([&data, &results, &exchange, &f, r, ranks, n] {
            const std::size_t first = n * r / ranks, last = n * (r + 1) / ranks;
            PrimRows rows;
            for (const auto& c : data.x)
                rows.columns.emplace_back(c.data() + first, last - first);
            rows.is_case = std::span<const std::uint8_t>(data.y.data() + first, last - first);
            ThreadReduction reduction(exchange, r);
            results[r] = f(rows, reduction);
        });
    for (auto& t : threads)
        t.join();
    return results;
}

// ---- an independent, literal PRIM on all rows at once: the oracle --------------------------

double get_quantile(std::vector<double> data, double q) {
    std::sort(data.begin(), data.end());
    const double i = static_cast<double>(data.size() - 1) * q;
    auto lo = static_cast<std::size_t>(std::floor(i)), hi = static_cast<std::size_t>(std::ceil(i));
    if (q > 0.5)
        while (data[lo] == data[hi] && lo > 0)
            --lo;
    else
        while (data[lo] == data[hi] && hi < data.size() - 1)
            ++hi;
    return (data[lo] + data[hi]) / 2;
}

struct OracleBox {
    std::vector<double> lo, hi;
};

bool inside(const Data& d, std::size_t r, const OracleBox& b) {
    for (std::size_t j = 0; j < d.x.size(); ++j)
        if (d.x[j][r] < b.lo[j] || d.x[j][r] > b.hi[j])
            return false;
    return true;
}

std::pair<std::uint64_t, std::uint64_t> count(const Data& d, const OracleBox& b) {
    std::uint64_t n = 0, k = 0;
    for (std::size_t r = 0; r < d.y.size(); ++r)
        if (inside(d, r, b)) {
            ++n;
            k += d.y[r];
        }
    return {n, k};
}

double objective(std::pair<std::uint64_t, std::uint64_t> o,
                 std::pair<std::uint64_t, std::uint64_t> c) {
    const double mo = double(o.second) / double(o.first);
    const double mn = c.first ? double(c.second) / double(c.first) : 0.0;
    if (mo == mn)
        return 0.0;
    const double dn = o.first > c.first ? double(o.first - c.first) : double(c.first - o.first);
    return (mn - mo) / dn;
}

std::vector<OracleBox> oracle(const Data& d, const PrimSettings& s) {
    const std::size_t dims = d.x.size(), n = d.y.size();
    OracleBox init{std::vector<double>(dims), std::vector<double>(dims)};
    for (std::size_t j = 0; j < dims; ++j) {
        init.lo[j] = *std::min_element(d.x[j].begin(), d.x[j].end());
        init.hi[j] = *std::max_element(d.x[j].begin(), d.x[j].end());
    }
    const auto restricted = [&](const OracleBox& b) {
        std::size_t c = 0;
        for (std::size_t j = 0; j < dims; ++j)
            c += b.lo[j] != init.lo[j] || b.hi[j] != init.hi[j];
        return c;
    };
    std::vector<OracleBox> steps{init};
    OracleBox box = init;
    while (true) { // peeling
        const auto old = count(d, box);
        bool found = false;
        double best_obj = 0;
        std::size_t best_free = 0;
        OracleBox best;
        for (std::size_t j = 0; j < dims; ++j) {
            std::vector<double> xj;
            for (std::size_t r = 0; r < n; ++r)
                if (inside(d, r, box))
                    xj.push_back(d.x[j][r]);
            for (int upper = 1; upper >= 0; --upper) {
                OracleBox c = box;
                (upper ? c.hi : c.lo)[j] =
                    get_quantile(xj, upper ? 1 - s.peel_alpha : s.peel_alpha);
                const double obj = objective(old, count(d, c));
                const std::size_t free = dims - restricted(c);
                if (!found || obj > best_obj || (obj == best_obj && free > best_free)) {
                    found = true;
                    best_obj = obj;
                    best_free = free;
                    best = c;
                }
            }
        }
        const auto now = count(d, best);
        if (!(double(now.first) / double(n) >= s.mass_min && now.first < old.first && best_obj > 0))
            break;
        box = best;
        steps.push_back(box);
    }
    while (true) { // pasting
        const auto old = count(d, box);
        bool found = false;
        double best_obj = 0;
        std::size_t best_free = 0;
        OracleBox best;
        for (std::size_t j = 0; j < dims; ++j) {
            if (box.lo[j] == init.lo[j] && box.hi[j] == init.hi[j])
                continue;
            for (int upper = 0; upper <= 1; ++upper) {
                OracleBox region = box;
                if (upper)
                    region.lo[j] = box.hi[j], region.hi[j] = init.hi[j];
                else
                    region.lo[j] = init.lo[j], region.hi[j] = box.lo[j];
                std::vector<double> data;
                for (std::size_t r = 0; r < n; ++r)
                    if (inside(d, r, region))
                        data.push_back(d.x[j][r]);
                OracleBox c = box;
                if (upper)
                    c.hi[j] = data.empty() ? init.hi[j] : get_quantile(data, s.paste_alpha);
                else
                    c.lo[j] = data.empty() ? init.lo[j] : get_quantile(data, 1 - s.paste_alpha);
                const double obj = objective(old, count(d, c));
                const std::size_t free = dims - restricted(c);
                if (!found || obj > best_obj || (obj == best_obj && free > best_free)) {
                    found = true;
                    best_obj = obj;
                    best_free = free;
                    best = c;
                }
            }
        }
        if (!found)
            break;
        const auto now = count(d, best);
        const double mean_new = double(now.second) / double(now.first);
        const double mean_old = double(old.second) / double(old.first);
        if (!(double(now.first) / double(n) >= s.mass_min && now.first > old.first &&
              best_obj > 0 && mean_new > mean_old))
            break;
        box = best;
        steps.push_back(box);
    }
    return steps;
}

/// Bits of a fixed generator as doubles in [0, 1): the same on every platform.
double unit(std::mt19937_64& g) {
    return static_cast<double>(g() >> 11) * 0x1.0p-53;
}

/// Four inputs, two of them on a coarse grid (ties), cases concentrated in a corner.
Data tied_data(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    Data d;
    d.x.assign(4, std::vector<double>(n));
    d.y.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
        d.x[0][r] = unit(g);
        d.x[1][r] = std::floor(unit(g) * 10) / 10; // ties
        d.x[2][r] = unit(g) * 4 - 2;
        d.x[3][r] = std::floor(unit(g) * 3); // three values
        const bool in = d.x[0][r] > 0.55 && d.x[1][r] <= 0.4 && d.x[3][r] != 1.0;
        d.y[r] = (in ? unit(g) < 0.9 : unit(g) < 0.06) ? 1 : 0;
    }
    return d;
}

} // namespace

TEST_CASE("order_key orders doubles as their values") {
    const std::vector<double> v{-1e300, -2.5, -1e-300, 0.0, 1e-300, 0.3, 1.0, 7e200};
    for (std::size_t i = 0; i + 1 < v.size(); ++i) {
        CHECK(order_key(v[i]) < order_key(v[i + 1]));
        CHECK(from_order_key(order_key(v[i])) == v[i]);
    }
}

TEST_CASE("ema_quantile takes EMA's get_quantile: midpoints away from ties") {
    const auto q = [](std::vector<double> values, double level, std::size_t ranks) {
        Data d;
        d.x = {values};
        d.y.assign(values.size(), 0);
        const auto got = on_ranks(d, ranks, [level](const PrimRows& rows, Reduction& red) {
            const auto order = sorted_rows(rows.columns[0]);
            const std::vector<SortedRows> sets{SortedRows{rows.columns[0], order}};
            std::vector<std::uint64_t> size{order.size()};
            red.sum(size);
            return ema_quantile(sets, std::vector<double>{level}, size, red)[0];
        });
        for (const auto v : got)
            CHECK(v == got[0]);
        return got[0];
    };
    for (const std::size_t ranks : {1, 2, 3}) {
        CAPTURE(ranks);
        CHECK(q({3, 2, 1, 2, 2}, 0.95, ranks) == 2.5);
        CHECK(q({3, 2, 1, 2, 2}, 0.05, ranks) == 1.5);
        CHECK(q({1, 1, 2, 1}, 0.05, ranks) == 1.5); // lower: past the tie upwards
        CHECK(q({1, 1, 2, 1}, 0.95, ranks) == 1.5); // upper: past the tie downwards
        CHECK(q({2, 2, 2, 2}, 0.95, ranks) == 2.0); // no distinct neighbour
        CHECK(q({2, 2, 2, 2}, 0.05, ranks) == 2.0);
        CHECK(q({0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0, 1.0}, 0.05, ranks) ==
              get_quantile({0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0, 1.0}, 0.05));
    }
    CHECK(q({7}, 0.05, 1) == 7.0);
}

TEST_CASE("prim follows the literal algorithm step by step, on 1, 2 and 3 ranks") {
    const auto data = tied_data(700, 12345);
    PrimSettings s;
    s.peel_alpha = 0.1;
    s.paste_alpha = 0.1;
    s.mass_min = 0.05;
    const auto expected = oracle(data, s);
    REQUIRE(expected.size() > 5);
    for (const std::size_t ranks : {1, 2, 3}) {
        CAPTURE(ranks);
        const auto got = on_ranks(
            data, ranks, [&s](const PrimRows& rows, Reduction& red) { return prim(rows, s, red); });
        for (const auto& t : got) {
            REQUIRE(t.steps.size() == expected.size());
            for (std::size_t i = 0; i < expected.size(); ++i) {
                CAPTURE(i);
                CHECK(t.steps[i].limits.lower == expected[i].lo);
                CHECK(t.steps[i].limits.upper == expected[i].hi);
                const auto c = count(data, expected[i]);
                CHECK(t.steps[i].rows == c.first);
                CHECK(t.steps[i].cases == c.second);
                CHECK(t.steps[i].density == double(c.second) / double(c.first));
            }
        }
        CHECK(got.front().pastes + got.front().peels + 1 == expected.size());
    }
}

TEST_CASE("prim with pasting: a coarse peel that pasting corrects") {
    // Large alpha: peels overshoot, and pasting takes back what the last peel cut too far.
    const auto data = tied_data(500, 777);
    PrimSettings s;
    s.peel_alpha = 0.3;
    s.paste_alpha = 0.3;
    s.mass_min = 0.02;
    const auto expected = oracle(data, s);
    const auto got = on_ranks(
        data, 2, [&s](const PrimRows& rows, Reduction& red) { return prim(rows, s, red); });
    REQUIRE(got[0].steps.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(got[0].steps[i].limits.lower == expected[i].lo);
        CHECK(got[0].steps[i].limits.upper == expected[i].hi);
    }
}

TEST_CASE("prim refuses data without cases, and choose_step picks by density then coverage") {
    Data d;
    d.x = {{1, 2, 3}};
    d.y = {0, 0, 0};
    PrimRows rows;
    rows.columns.emplace_back(d.x[0]);
    rows.is_case = d.y;
    SerialReduction serial;
    CHECK_THROWS_AS((void)prim(rows, PrimSettings{}, serial), std::invalid_argument);
    PrimTrajectory t;
    for (const auto& [c, den] : std::vector<std::pair<double, double>>{
             {1.0, 0.2}, {0.9, 0.7}, {0.8, 0.85}, {0.6, 0.95}, {0.8, 0.9}})
        t.steps.push_back(PrimStep{{}, 0, 0, c, den, 0, den, 0});
    CHECK(choose_step(t, 0.8) == 2); // 0.8 coverage first reached at step 2
    CHECK(choose_step(t, 0.92) == 3);
    CHECK(choose_step(t, 0.99) == 3); // none reaches it: the densest
}

TEST_CASE("binomial upper tail and quasi-p") {
    // P(X >= k) by direct summation for a small n.
    const auto direct = [](std::uint64_t k, std::uint64_t n, double p) {
        double s = 0, c = 1;
        for (std::uint64_t i = 0; i <= n; ++i) {
            if (i > 0)
                c = c * double(n - i + 1) / double(i);
            if (i >= k)
                s += c * std::pow(p, double(i)) * std::pow(1 - p, double(n - i));
        }
        return s;
    };
    for (const std::uint64_t k : {0, 1, 5, 9, 12})
        CHECK(binomial_upper_tail(k, 12, 0.37) ==
              doctest::Approx(direct(k, 12, 0.37)).epsilon(1e-12));
    CHECK(binomial_upper_tail(13, 12, 0.5) == 0.0);

    // Box x0 >= 2 on x0 = 0..9, cases at x0 in {2..9} except 5, and x1 restricting nothing.
    Data d;
    d.x = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 2}};
    d.y = {0, 1, 1, 1, 1, 0, 1, 1, 1, 1};
    BoxLimits initial{{0, 1}, {9, 2}}, box{{1.5, 1}, {9, 1.5}};
    const auto got = on_ranks(d, 2, [&](const PrimRows& rows, Reduction& red) {
        return quasi_p(rows, box, initial, red);
    });
    REQUIRE(got[0].size() == 2);
    // The box: rows 2..8, 6 cases of 7. Without x0's lower limit: rows 0..8, 7 of 9 cases.
    CHECK(got[0][0].input == 0);
    CHECK(got[0][0].lower == doctest::Approx(direct(6, 7, 7.0 / 9.0)).epsilon(1e-12));
    CHECK(std::isnan(got[0][0].upper));
    // Without x1's upper limit: rows 2..9, 7 of 8.
    CHECK(std::isnan(got[0][1].lower));
    CHECK(got[0][1].upper == doctest::Approx(direct(6, 7, 7.0 / 8.0)).epsilon(1e-12));
    CHECK(got[1][1].upper == got[0][1].upper);
}

TEST_CASE("case expressions") {
    auto e = parse_case_expression("frontier_gap_years[2030] < 1");
    CHECK(e.output == "frontier_gap_years");
    CHECK(e.year == 2030);
    CHECK(!e.regret);
    CHECK(e.holds(0.5));
    CHECK(!e.holds(1.0));
    CHECK(!e.holds(std::nan("")));
    e = parse_case_expression(" regret( frontier_gap_years [2030] , lower )>=0.5 ");
    CHECK(e.regret);
    CHECK(!e.higher_is_better);
    CHECK(e.comparison == stats::Comparison::greater_equal);
    CHECK(e.threshold == 0.5);
    CHECK(e.text() == "regret(frontier_gap_years[2030], lower) >= 0.5");
    e = parse_case_expression("failure > 0.5");
    CHECK(!e.year);
    CHECK(regret_of(2.0, 5.0, true) == 3.0);
    CHECK(regret_of(7.0, 5.0, false) == 2.0);
    for (const char* bad : {"", "x[2030]", "x[2030] = 1", "x < ", "regret(x, up) > 1", "x[20a] < 1",
                            "x < 1 junk", "3x < 1"})
        CHECK_THROWS_AS((void)parse_case_expression(bad), BadCaseExpression);
}

TEST_CASE("cart splits where the classes separate, alike on 1 and 3 ranks") {
    Data d;
    std::mt19937_64 g(99);
    const std::size_t n = 3000;
    d.x.assign(2, std::vector<double>(n));
    d.y.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
        d.x[0][r] = unit(g);
        d.x[1][r] = unit(g);
        d.y[r] = d.x[1][r] > 0.7 ? 1 : 0;
    }
    CartSettings s;
    s.depth = 1;
    const auto one = on_ranks(d, 1, [&](const PrimRows& rows, Reduction& red) {
        return cart(rows.columns, rows.is_case, s, red);
    });
    const auto three = on_ranks(d, 3, [&](const PrimRows& rows, Reduction& red) {
        return cart(rows.columns, rows.is_case, s, red);
    });
    REQUIRE(one[0].size() == 2);
    CHECK(one[0][0].upper[1] == doctest::Approx(0.7).epsilon(0.01));
    // The nearest bin edge to 0.7 misplaces at most a bin's share of the rows (3000 / 256).
    CHECK(one[0][0].cases < 15);
    CHECK(one[0][1].rows - one[0][1].cases < 15);
    for (const auto& leaves : three) {
        REQUIRE(leaves.size() == 2);
        for (std::size_t i = 0; i < 2; ++i) {
            CHECK(leaves[i].upper == one[0][i].upper);
            CHECK(leaves[i].lower == one[0][i].lower);
            CHECK(leaves[i].rows == one[0][i].rows);
        }
    }
}
