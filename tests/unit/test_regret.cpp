#include "chiprace/io/robustness_writer.hpp"
#include "chiprace/stats/regret.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <limits>
#include <vector>

using chiprace::stats::Direction;

TEST_CASE("regret: the best policy's value in the same future minus this one's") {
    // Three policies (rows of the layout) in four futures.
    const std::vector<double> values{
        1.0, 5.0, 2.0, 0.0, // policy 0
        3.0, 5.0, 1.0, 0.0, // policy 1
        2.0, 4.0, 2.0, 0.0, // policy 2
    };
    std::vector<double> regret(values.size());
    chiprace::stats::regret_of(values, 3, Direction::higher, regret);
    CHECK(regret == std::vector<double>{2, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0});
    chiprace::stats::regret_of(values, 3, Direction::lower, regret);
    CHECK(regret == std::vector<double>{0, 1, 1, 0, 2, 1, 0, 0, 1, 0, 1, 0});
}

TEST_CASE("regret: a future with a NaN value has no best; infinities are not NaN") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> values{1.0, inf, nan, 2.0, inf, 0.0};
    std::vector<double> regret(values.size());
    chiprace::stats::regret_of(values, 2, Direction::higher, regret);
    CHECK(regret[0] == 1.0);
    CHECK(regret[1] == 0.0); // inf against inf: both best, not inf − inf
    CHECK(std::isnan(regret[2]));
    CHECK(regret[3] == 0.0);
    CHECK(regret[4] == 0.0);
    CHECK(std::isnan(regret[5]));
}

TEST_CASE("robustness counts: satisficing, strict wins, ties for neither, best shared") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Two policies, five futures: a ties b in future 2, b's value is NaN in future 4.
    const std::vector<double> values{
        1.0, 3.0, 2.0, 0.5, 9.0, // a
        2.0, 1.0, 2.0, 0.1, nan, // b
    };
    const std::vector<double> thresholds{1.0, 2.5};
    std::vector<std::uint64_t> counts(chiprace::stats::robustness_count_size(2, 2), 0);
    CHECK(counts.size() == 2 * 2 + 4 + 2);
    chiprace::stats::robustness_counts(values, 2, Direction::higher, thresholds, counts);
    // satisficing[t][v]: >= 1 → a: 1,3,2,9 = 4; b: 2,1,2 = 3. >= 2.5 → a: 3,9 = 2; b: 0.
    CHECK(counts[0] == 4);
    CHECK(counts[1] == 3);
    CHECK(counts[2] == 2);
    CHECK(counts[3] == 0);
    // wins: a over b in futures 1 and 3; b over a in future 0; tie and NaN for neither.
    CHECK(counts[4] == 0);
    CHECK(counts[5] == 2);
    CHECK(counts[6] == 1);
    CHECK(counts[7] == 0);
    // best: a in 1, 2 (tie), 3; b in 0, 2 (tie); none in future 4.
    CHECK(counts[8] == 3);
    CHECK(counts[9] == 2);
    // Counts add: a second block doubles them.
    chiprace::stats::robustness_counts(values, 2, Direction::higher, thresholds, counts);
    CHECK(counts[5] == 4);
    // Lower is better: satisficing at <= threshold, wins reversed.
    std::vector<std::uint64_t> lower(counts.size(), 0);
    chiprace::stats::robustness_counts(values, 2, Direction::lower, thresholds, lower);
    CHECK(lower[0] == 2); // a <= 1: 1, 0.5
    CHECK(lower[1] == 2); // b <= 1: 1, 0.1 (NaN never meets a threshold)
    CHECK(lower[2] == 3); // a <= 2.5: 1, 2, 0.5
    CHECK(lower[3] == 4); // b <= 2.5: 2, 1, 2, 0.1
    CHECK(lower[5] == 1);
    CHECK(lower[6] == 2);
}

TEST_CASE("competition ranks: ties share the smaller rank, NaN last") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(chiprace::io::ranks_ascending({0.3, 0.1, 0.3, nan, 0.0}) ==
          std::vector<std::int64_t>{3, 2, 3, 5, 1});
}
