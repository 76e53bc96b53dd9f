// [policies] in experiment files: levers, year steps, selection, reference, and their errors.

#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/core/diagnostic.hpp"
#include "chiprace/model/compute_race.hpp"
#include "experiment_text.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace chiprace;
namespace fs = std::filesystem;

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
)";

std::vector<Diagnostic> errors_of(const std::string& text,
                                  const std::vector<std::string>& sets = {}) {
    return testing::config_errors(text, sets);
}

config::Experiment load(const std::string& text, const std::vector<std::string>& sets = {}) {
    return testing::load_experiment_text(text, sets);
}

using testing::mentions;

} // namespace

TEST_CASE("a valid policy loads; based_on inherits levers") {
    const auto ex =
        load(header + base_policy + "[policies.strict]\nbased_on = \"base\"\nenforcement = 2.5\n");
    const auto& m = dynamic_cast<const model::ComputeRace&>(*ex.model);
    REQUIRE(m.variant_count() == 2);
    CHECK(m.policy(1).name == "strict");
    CHECK(m.policy(1).at(model::Lever::enforcement, 0) == 2.5);
    CHECK(m.policy(1).at(model::Lever::china_legal_cap, 0) == 0.15);
    CHECK(ex.references.empty());
}

TEST_CASE("a broken base policy is reported once, not again by each policy based on it") {
    std::string p = base_policy;
    p.replace(p.find("cloud_kyc = 0"), 13, "cloud_kyc = 2");
    const auto ds = errors_of(
        header + p + "[policies.a]\nbased_on = \"base\"\n[policies.b]\nbased_on = \"base\"\n");
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("cloud_kyc must be a share") != std::string::npos);
}

TEST_CASE("experiment.policies selects and orders; reference names one of them") {
    const std::string two = header + base_policy + "[policies.other]\nbased_on = \"base\"\n";
    const auto ex = load(two, {"experiment.policies=[\"other\"]"});
    CHECK(ex.model->variant_count() == 1);
    CHECK(ex.model->variant_name(0) == "other");
    const auto ex2 = load(two, {"experiment.reference=base"});
    CHECK(ex2.references == std::vector<std::size_t>{0});
    CHECK_FALSE(ex2.reference_is_list);
    CHECK(mentions(errors_of(two, {"experiment.policies=[\"bse\"]"}), "did you mean 'base'?"));
    CHECK(
        mentions(errors_of(two, {"experiment.reference=nope"}), "experiment.reference must name"));
    CHECK(mentions(errors_of(two, {"experiment.policies=[\"base\", \"base\"]"}), "twice"));
}

TEST_CASE("lever errors name the policy, the lever and what is wrong") {
    auto with = [&](const std::string& from, const std::string& to) {
        std::string p = base_policy;
        p.replace(p.find(from), from.size(), to);
        return errors_of(header + p);
    };
    CHECK(mentions(with("china_fee = 0", "china_fe = 0"),
                   "unknown key 'china_fe' in [policies.base]; did you mean 'china_fee'?"));
    CHECK(mentions(with("china_legal_cap = 0.15", "china_legal_cap = -1"),
                   "policies.base.china_legal_cap must be a cap"));
    CHECK(mentions(with("cloud_kyc = 0", "cloud_kyc = 1.5"),
                   "policies.base.cloud_kyc must be a share in [0, 1]"));
    CHECK(mentions(with("enforcement = 1.0", "enforcement = 0"), "enforcement must be"));
    CHECK(mentions(with("stringency = 0.6", "stringency = inf"), "stringency must be a share"));
    CHECK(mentions(with("china_fee = 0", "china_fee = { 2024 = 0.1 }"),
                   "year 2024 is outside the horizon 2025-2035"));
    CHECK(mentions(with("china_fee = 0", "china_fee = { 2040 = 0.1 }"), "outside the horizon"));
    CHECK(mentions(with("china_fee = 0", "china_fee = { soon = 0.1 }"), "is not a year"));
    CHECK(mentions(with("china_fee = 0", "china_fee = \"some\""),
                   "must be a number, inf, or a year-step table"));
    CHECK(mentions(with("china_fee = 0\n", ""), "does not set lever 'china_fee'"));
    const auto located = with("cloud_kyc = 0", "cloud_kyc = 1.5");
    INFO(located.front().to_string() << " | " << located.back().to_string());
    REQUIRE(located.size() == 1);
    CHECK(located[0].line == 14);
}

TEST_CASE("compute_race needs its parameters, within their bounds, and at least one policy") {
    CHECK(mentions(errors_of(header), "needs at least one [policies.<name>] table"));
    CHECK(mentions(errors_of(header + base_policy,
                             {"parameters.mfu={ dist = \"normal\", mean = 0.3, sd = 0.1 }"}),
                   "parameter 'mfu' must be a share in [0, 1]"));
    CHECK(mentions(
        errors_of(header + base_policy +
                  "[parameters.hardware_lifetime]\ndist = \"uniform\"\nlow = 0.5\nhigh = 3\n"),
        "hardware_lifetime' must be at least 1 year"));
    CHECK(mentions(errors_of(header + base_policy +
                             "[parameters]\nmfuu = { dist = \"fixed\", value = 0.3 }\n"),
                   "has no parameter 'mfuu'; did you mean 'mfu'?"));
    CHECK(mentions(errors_of(header + base_policy, {"model.end_year=2025"}),
                   "end_year must be after start_year"));
    CHECK(mentions(errors_of("[experiment]\nname = \"x\"\nmodel = \"ishigami\"\nsamples = 1\n"
                             "[parameters]\nx1 = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "x2 = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "x3 = { dist = \"uniform\", low = 0, high = 1 }\n" +
                             base_policy),
                   "[policies] applies to models with policy levers"));
}

TEST_CASE("a shorter horizon shortens the levers and the outputs") {
    const auto ex = load(header + base_policy + "[model]\nstart_year = 2026\nend_year = 2030\n");
    CHECK(ex.model->years().size() == 5);
    CHECK(ex.model->column_count() == 35 * 5 + 3); // 35 series (19 of version 1), 3 scalars
}
