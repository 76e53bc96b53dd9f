#include "chiprace/config/event_options.hpp"
#include "chiprace/stats/block_sums.hpp"
#include "chiprace/stats/event_count.hpp"
#include "experiment_text.hpp"

#include <bit>
#include <cmath>
#include <doctest/doctest.h>
#include <limits>
#include <numeric>
#include <vector>

using namespace chiprace;
using stats::Comparison;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

const char* ishigami = R"(
[experiment]
name = "events"
model = "ishigami"
samples = 10

[parameters]
x1 = { dist = "uniform", low = -3.14, high = 3.14 }
x2 = { dist = "uniform", low = -3.14, high = 3.14 }
x3 = { dist = "uniform", low = -3.14, high = 3.14 }
)";

/// A model that declares events on its series, as compute_race's frontier gap will.
class ModelWithEvents : public model::Model {
public:
    [[nodiscard]] std::string name() const override { return "with_events"; }
    [[nodiscard]] const std::vector<model::OutputSpec>& outputs() const override {
        return outputs_;
    }
    void evaluate(std::size_t, const model::InputBlock&, model::OutputBlock&) const override {}

private:
    std::vector<model::OutputSpec> outputs_{
        {"gap",
         "years",
         "a gap",
         true,
         false,
         {{"below_0", model::OutputEvent::Comparison::less, 0.0, "gap < 0"},
          {"below_1", model::OutputEvent::Comparison::less, 1.0, "gap < 1"}}},
        {"other", "1", "no events"}};
};

} // namespace

TEST_CASE("count_meeting: each comparison, boundaries, NaN never meets, infinities compare") {
    const std::vector<double> x{-infinity, -1.0,         0.0,      0.5,
                                1.0,       not_a_number, infinity, not_a_number};
    CHECK(stats::count_meeting(x, Comparison::less, 0.5) == 3);          // -inf, -1, 0
    CHECK(stats::count_meeting(x, Comparison::less_equal, 0.5) == 4);    // and 0.5
    CHECK(stats::count_meeting(x, Comparison::greater, 0.5) == 2);       // 1, inf
    CHECK(stats::count_meeting(x, Comparison::greater_equal, 0.5) == 3); // and 0.5
    // A value and its complement add up to every value that is not NaN.
    CHECK(stats::count_meeting(x, Comparison::less, 1.0) +
              stats::count_meeting(x, Comparison::greater_equal, 1.0) ==
          x.size() - 2);
    CHECK(stats::count_meeting({}, Comparison::less, 0.0) == 0);
    CHECK(std::string(stats::comparison_symbol(Comparison::greater_equal)) == ">=");
}

TEST_CASE("wilson_interval: known values, the edges, no samples") {
    const double z = 1.959963984540054;
    // Wilson (1927) for 5 of 10 at 95%: 0.2366 to 0.7634 (symmetric around 0.5).
    auto ci = stats::wilson_interval(5, 10, z);
    CHECK(ci.low == doctest::Approx(0.236593).epsilon(1e-5));
    CHECK(ci.high == doctest::Approx(0.763407).epsilon(1e-5));
    // 0 of 20: [0, z²/(n + z²)] = [0, 0.16113].
    ci = stats::wilson_interval(0, 20, z);
    CHECK(ci.low == 0.0);
    CHECK(ci.high == doctest::Approx(z * z / (20 + z * z)).epsilon(1e-12));
    ci = stats::wilson_interval(20, 20, z);
    CHECK(ci.high == 1.0);
    CHECK(ci.low == doctest::Approx(20 / (20 + z * z)).epsilon(1e-12));
    ci = stats::wilson_interval(1, 1000000, z);
    CHECK(ci.low > 0.0);
    CHECK(ci.low < 1e-6);
    CHECK(ci.high > 1e-6);
    CHECK(std::isnan(stats::wilson_interval(0, 0, z).low));
}

TEST_CASE("event counts merge by addition: any cut into blocks gives the total") {
    std::vector<double> x(1000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = i % 17 == 0 ? not_a_number : std::sin(static_cast<double>(i));
    const auto total = stats::count_meeting(x, Comparison::greater, 0.25);
    CHECK(total > 0);
    for (const std::size_t block : {1, 7, 64, 999, 1000}) {
        stats::BlockSums merged;
        merged.events = {0};
        for (std::size_t first = 0; first < x.size(); first += block) {
            stats::BlockSums b;
            const auto n = std::min(block, x.size() - first);
            b.events = {
                stats::count_meeting(std::span(x).subspan(first, n), Comparison::greater, 0.25)};
            merged.merge(b);
        }
        CHECK(merged.events[0] == total);
    }
}

TEST_CASE("BlockSums carries event counts through serialize, and reads blocks without them") {
    stats::BlockSums a;
    a.moments.columns.resize(2);
    a.events = {3, (std::uint64_t{1} << 60) + 1}; // beyond 2^53: travels as a bit pattern
    const auto back = stats::BlockSums::deserialize(a.serialize());
    CHECK(back.events == a.events);
    stats::BlockSums b = back;
    b.merge(a);
    CHECK(b.events[0] == 6);
    CHECK(b.events[1] == (std::uint64_t{1} << 61) + 2);
    // A block of a format-2 ledger ends after its Morris sums: no events.
    auto old = a.serialize();
    old.resize(old.size() - 3);
    CHECK(stats::BlockSums::deserialize(old).events.empty());
    // A truncated event section is corrupt, not silently short.
    auto cut = a.serialize();
    cut.pop_back();
    CHECK_THROWS(stats::BlockSums::deserialize(cut));
    stats::BlockSums other;
    other.events = {1};
    CHECK_THROWS(b.merge(other));
}

TEST_CASE("[output] events: defaults, names, on, resolved JSON only when there are events") {
    const auto none = testing::load_experiment_text(ishigami);
    CHECK(none.events.empty());
    CHECK_FALSE(none.resolved["output"].contains("events"));
    const auto ex = testing::load_experiment_text(
        ishigami,
        {R"(output.events=[{ output = "y", above = 0.5 }, { output = "y", at_most = -1e-05 },
                   { output = "y", below = 2, name = "small" }])"});
    REQUIRE(ex.events.size() == 3);
    CHECK(ex.events[0].event.name == "above_0.5");
    CHECK(ex.events[0].event.comparison == model::OutputEvent::Comparison::greater);
    CHECK(ex.events[1].event.name == "at_most_-1e-05");
    CHECK(ex.events[1].event.threshold == -1e-05);
    CHECK(ex.events[2].event.name == "small");
    CHECK(ex.events[2].on_outputs);
    CHECK_FALSE(ex.events[2].on_contrasts);
    const auto& j = ex.resolved["output"]["events"];
    REQUIRE(j.size() == 3);
    CHECK(j[1]["comparison"] == "<=");
    CHECK(j[2]["on"] == "outputs");
    CHECK(j[0]["source"] == "experiment");
}

TEST_CASE("model-declared events come first; an experiment's event may not reuse their names") {
    config::Experiment ex;
    ex.model = std::make_shared<ModelWithEvents>();
    ex.model_name = "with_events";
    DiagnosticList errors;
    auto root = toml::parse(R"([output]
events = [ { output = "gap", below = 0.5 }, { output = "gap", below = 1 } ]
)");
    config::read_events(root, ex, errors);
    REQUIRE(errors.size() == 1);
    try {
        errors.throw_if_any();
    } catch (const ConfigError& e) {
        CHECK(e.diagnostics()[0].message.find("already has an event named 'below_1' (declared "
                                              "by the model)") != std::string::npos);
    }
    REQUIRE(ex.events.size() == 3);
    CHECK(ex.events[0].from_model);
    CHECK(ex.events[0].event.name == "below_0");
    CHECK(ex.events[1].event.name == "below_1");
    CHECK(ex.events[2].event.name == "below_0.5");
    CHECK_FALSE(ex.events[2].from_model);
    CHECK(config::events_json(ex)[0]["source"] == "model");
}
