// [policy_sweeps] (cells, names, order, levers, errors), several reference policies, and
// [output] keep (issue 16, part 3).

#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/config/policy_sweep.hpp"
#include "chiprace/core/diagnostic.hpp"
#include "chiprace/model/compute_race.hpp"
#include "experiment_text.hpp"

#include <doctest/doctest.h>
#include <limits>

using namespace chiprace;

namespace {

const std::string header = std::string("[experiment]\nname = \"p\"\nmodel = \"compute_race\"\n"
                                       "samples = 10\ninclude = [\"") +
                           CHIPRACE_SOURCE_DIR + "/experiments/priors/default.toml\"]\n";

const std::string base_policy = R"(
[policies.base]
china_legal_cap = 0.15
tier2_country_cap = inf
tier2_exempt_capacity = 0
lpp_threshold = 1700
enforcement = 1.0
leakage_multiplier = 1.0
cloud_kyc = 0
stringency = 0.6
china_fee = 0
[policies.other]
based_on = "base"
cloud_kyc = 0.5
)";

const std::string sweep = R"(
[policy_sweeps.cap_x_enf]
based_on = "base"
grid = { tier2_country_cap = [0.5, 1, inf], enforcement = [0.3, 2] }
)";

using testing::mentions;

const model::ComputeRace& race(const config::Experiment& ex) {
    return dynamic_cast<const model::ComputeRace&>(*ex.model);
}

} // namespace

/// A lever's index among compute_race's levers, as an axis holds it.
std::size_t axis(model::Lever lever) {
    return static_cast<std::size_t>(lever);
}

TEST_CASE("sweep cells: full factorial, the first axis slowest, names in shortest form") {
    using config::PolicySweep;
    const std::vector<PolicySweep::Axis> axes{
        {axis(model::Lever::tier2_country_cap),
         "tier2_country_cap",
         {0.5, std::numeric_limits<double>::infinity()}},
        {axis(model::Lever::enforcement), "enforcement", {0.25, 1, 1e6}}};
    const auto cells = config::sweep_cells("s", axes);
    REQUIRE(cells.size() == 6);
    CHECK(cells[0].policy == "s.tier2_country_cap=0.5.enforcement=0.25");
    CHECK(cells[1].policy == "s.tier2_country_cap=0.5.enforcement=1");
    CHECK(cells[2].policy == "s.tier2_country_cap=0.5.enforcement=1e+06");
    CHECK(cells[3].policy == "s.tier2_country_cap=inf.enforcement=0.25");
    CHECK(cells[5].coordinates ==
          std::vector<double>{std::numeric_limits<double>::infinity(), 1e6});
    const std::vector<PolicySweep::Axis> one{{axis(model::Lever::cloud_kyc), "cloud_kyc", {0.1}}};
    CHECK(config::sweep_cells("k", one).size() == 1);
}

TEST_CASE("a sweep's cells are policies after the others, each its base with the levers set") {
    const auto ex = testing::load_experiment_text(header + base_policy + sweep);
    const auto& m = race(ex);
    REQUIRE(m.variant_count() == 2 + 6);
    CHECK(m.variant_name(0) == "base");
    CHECK(m.variant_name(1) == "other");
    // Axes in the order written, although toml++ sorts keys (enforcement < tier2_country_cap).
    CHECK(m.variant_name(2) == "cap_x_enf.tier2_country_cap=0.5.enforcement=0.3");
    CHECK(m.variant_name(3) == "cap_x_enf.tier2_country_cap=0.5.enforcement=2");
    CHECK(m.variant_name(7) == "cap_x_enf.tier2_country_cap=inf.enforcement=2");
    const auto& cell = m.policy(3);
    for (std::size_t k = 0; k < m.years().size(); ++k) {
        CHECK(cell.at(model::Lever::tier2_country_cap, k) == 0.5);
        CHECK(cell.at(model::Lever::enforcement, k) == 2.0);
        CHECK(cell.at(model::Lever::stringency, k) == 0.6); // from the base
    }
    REQUIRE(ex.policy_sweeps.size() == 1);
    CHECK(ex.policy_sweeps[0].based_on == "base");
    CHECK(ex.policy_sweeps[0].cells[1].coordinates == std::vector<double>{0.5, 2.0});
    CHECK(ex.resolved.contains("policy_sweeps"));
}

TEST_CASE("a sweep's base need not run itself; experiment.policies leaves the cells running") {
    const auto ex = testing::load_experiment_text(header + base_policy + sweep,
                                                  {"experiment.policies=[\"other\"]"});
    CHECK(race(ex).variant_count() == 1 + 6);
    CHECK(race(ex).variant_name(0) == "other");
}

TEST_CASE("sweep mistakes are all reported, each where it is") {
    const std::string bad = R"(
[policy_sweeps.s]
based_on = "bsae"
grid = { enforcment = [1], cloud_kyc = [], stringency = [0.5, 1.5, 0.5], china_fee = [{ 2025 = 0 }] }
colour = "red"
)";
    const auto ds = testing::config_errors(header + base_policy + bad);
    CHECK(mentions(ds, "policy_sweeps.s.based_on: no policy 'bsae' is defined; did you mean "
                       "'base'?"));
    CHECK(mentions(ds, "'enforcment' is not a policy lever; did you mean 'enforcement'?"));
    CHECK(mentions(ds, "policy_sweeps.s.grid.cloud_kyc must be a non-empty array"));
    CHECK(mentions(ds, "policy_sweeps.s.grid.stringency must be a share in [0, 1] (got 1.5)"));
    CHECK(mentions(ds, "policy_sweeps.s.grid.stringency lists 0.5 twice"));
    CHECK(mentions(ds, "a year-step table cannot be a sweep value"));
    CHECK(mentions(ds, "unknown key 'colour' in [policy_sweeps.s]"));
    for (const auto& d : ds)
        CHECK(d.line > 0); // every one located
}

TEST_CASE("too many cells is refused; sweeps need a model with policies") {
    std::string values;
    for (int i = 0; i < 101; ++i)
        values += (i ? ", " : "") + std::to_string(i + 1);
    const std::string big = "[policy_sweeps.big]\nbased_on = \"base\"\ngrid = { enforcement = [" +
                            values + "], lpp_threshold = [" + values + "] }\n";
    CHECK(mentions(testing::config_errors(header + base_policy + big),
                   "makes 10201 cells, more than 10000 policies in all"));
}

TEST_CASE("experiment.reference: a name as before, or several") {
    const std::string text = header + base_policy + sweep;
    const auto one = testing::load_experiment_text(text, {"experiment.reference=\"other\""});
    CHECK(one.references == std::vector<std::size_t>{1});
    CHECK(one.resolved["experiment"]["reference"] == "other");
    const auto two = testing::load_experiment_text(
        text,
        {"experiment.reference=[\"other\", \"cap_x_enf.tier2_country_cap=1.enforcement=2\"]"});
    CHECK(two.references == std::vector<std::size_t>{1, 5});
    CHECK(two.resolved["experiment"]["reference"].is_array());
    CHECK(mentions(testing::config_errors(text, {"experiment.reference=[\"other\", \"other\"]"}),
                   "experiment.reference lists 'other' twice"));
    CHECK(mentions(testing::config_errors(text, {"experiment.reference=[\"othr\"]"}),
                   "did you mean 'other'?"));
    CHECK(mentions(testing::config_errors(text, {"experiment.reference=[]"}),
                   "non-empty array of policy names"));
}

TEST_CASE("output.keep: the named outputs, in the model's order; clear errors") {
    const std::string text = header + base_policy;
    const auto ex = testing::load_experiment_text(
        text, {"output.keep=[\"frontier_gap_years\", \"cn_largest_run\"]"});
    REQUIRE(ex.output.keep.has_value());
    REQUIRE(ex.output.keep->size() == 2);
    CHECK(ex.output.keep->front() < ex.output.keep->back());
    CHECK(ex.model->outputs()[ex.output.keep->back()].name == "frontier_gap_years");
    CHECK_FALSE(testing::load_experiment_text(text).output.keep.has_value());
    CHECK(mentions(testing::config_errors(text, {"output.keep=[\"frontier_gap_year\"]"}),
                   "has no output 'frontier_gap_year'; did you mean 'frontier_gap_years'?"));
    CHECK(mentions(testing::config_errors(
                       text, {"output.keep=[\"frontier_gap_years\", \"frontier_gap_years\"]"}),
                   "lists 'frontier_gap_years' twice"));
    CHECK(mentions(testing::config_errors(
                       text, {"output.keep=[\"frontier_gap_years\"]", "output.store=summary"}),
                   "output.keep chooses the per-sample outputs of store = \"raw\""));
    CHECK(mentions(testing::config_errors(text, {"output.keep=[]"}), "non-empty array"));
}

TEST_CASE("a sampled sweep: a Latin hypercube over the ranges, one cell per stratum") {
    using config::PolicySweep;
    const std::vector<PolicySweep::Axis> ranges{
        {axis(model::Lever::enforcement), "enforcement", {0.5, 4.5}},
        {axis(model::Lever::cloud_kyc), "cloud_kyc", {0, 1}}};
    const auto cells = config::sampled_cells("s", ranges, 12, 7);
    REQUIRE(cells.size() == 12);
    CHECK(cells[0].policy == "s.00");
    CHECK(cells[11].policy == "s.11");
    for (std::size_t a = 0; a < ranges.size(); ++a) {
        std::vector<int> strata(12, 0);
        for (const auto& c : cells) {
            const double low = ranges[a].values[0], high = ranges[a].values[1];
            REQUIRE(c.coordinates[a] >= low);
            REQUIRE(c.coordinates[a] <= high);
            ++strata[static_cast<std::size_t>((c.coordinates[a] - low) / (high - low) * 12)];
        }
        CHECK(strata == std::vector<int>(12, 1)); // each stratum once
    }
    // The seed keys the draw; the same seed, the same cells.
    CHECK(config::sampled_cells("s", ranges, 12, 7)[3].coordinates == cells[3].coordinates);
    CHECK(config::sampled_cells("s", ranges, 12, 8)[3].coordinates != cells[3].coordinates);
}

TEST_CASE("a sampled sweep in an experiment, and its mistakes") {
    const std::string lhs = "[policy_sweeps.lhs]\nbased_on = \"base\"\nsampled = 5\nseed = 3\n"
                            "ranges = { enforcement = [0.5, 3], cloud_kyc = [0, 1] }\n";
    const auto ex = testing::load_experiment_text(header + base_policy + lhs);
    REQUIRE(race(ex).variant_count() == 2 + 5);
    CHECK(race(ex).variant_name(2) == "lhs.0");
    REQUIRE(ex.policy_sweeps.size() == 1);
    CHECK(ex.policy_sweeps[0].sampled);
    CHECK(ex.policy_sweeps[0].seed == 3);
    const auto& cell = race(ex).policy(4);
    CHECK(cell.at(model::Lever::enforcement, 0) == ex.policy_sweeps[0].cells[2].coordinates[0]);
    CHECK(cell.at(model::Lever::cloud_kyc, 5) == ex.policy_sweeps[0].cells[2].coordinates[1]);
    const std::string bad =
        "[policy_sweeps.a]\nbased_on = \"base\"\nsampled = 0\nranges = { enforcement = [0, 3], "
        "cloud_kyc = [1, 0.5] }\n[policy_sweeps.b]\nbased_on = \"base\"\nsampled = 3\n"
        "[policy_sweeps.c]\nbased_on = \"base\"\ngrid = { enforcement = [1] }\nsampled = 2\n"
        "[policy_sweeps.d]\nbased_on = \"base\"\ngrid = { enforcement = [1] }\nseed = 1\n";
    const auto ds = testing::config_errors(header + base_policy + bad);
    CHECK(mentions(ds, "policy_sweeps.a.sampled must be a positive integer"));
    CHECK(mentions(ds, "policy_sweeps.a.ranges.enforcement must be a multiple of FY2024 "
                       "enforcement resources > 0 (got 0)"));
    CHECK(mentions(ds, "policy_sweeps.a.ranges.cloud_kyc must be [low, high]"));
    CHECK(mentions(ds, "policy_sweeps.b needs ranges"));
    CHECK(mentions(ds, "policy_sweeps.c: give grid (a full factorial) or sampled and ranges"));
    CHECK(mentions(ds, "policy_sweeps.d.seed applies to a sampled sweep"));
}
