// [calibration] of the experiment file (issue 18): targets resolved to outputs, years and
// policies, every mistake located and reported in one pass, and the resolved text.

#include "chiprace/config/experiment_loader.hpp"
#include "experiment_text.hpp"

#include <algorithm>
#include <cmath>
#include <doctest/doctest.h>
#include <string>

using chiprace::Diagnostic;
using chiprace::testing::config_errors;
using chiprace::testing::load_experiment_text;
using chiprace::testing::mentions;
using Kind = chiprace::stats::Observation::Kind;

namespace {

/// The flagship's six policies and the default priors, with the text appended after it.
std::string race(const std::string& calibration) {
    return "[experiment]\ninclude = [\"" CHIPRACE_SOURCE_DIR
           "/experiments/policy_comparison.toml\"]\nsamples = 10\n\n" +
           calibration;
}

/// Ishigami: one scalar output (y) and no policies.
std::string ishigami(const std::string& calibration) {
    return "[experiment]\ninclude = [\"" CHIPRACE_SOURCE_DIR
           "/experiments/ishigami.toml\"]\nsamples = 10\n\n" +
           calibration;
}

/// The 1-based line of text on which needle first appears (0: nowhere).
std::uint32_t line_of(const std::string& text, const std::string& needle) {
    const auto at = text.find(needle);
    if (at == std::string::npos)
        return 0;
    return static_cast<std::uint32_t>(std::count(text.begin(), text.begin() + at, '\n') + 1);
}

/// The diagnostic whose message contains needle; a default one when none does.
Diagnostic diagnostic_with(const std::vector<Diagnostic>& ds, const std::string& needle) {
    for (const auto& d : ds)
        if (d.message.find(needle) != std::string::npos)
            return d;
    return {};
}

std::size_t output_index(const chiprace::config::Experiment& ex, const std::string& name) {
    const auto& outs = ex.model->outputs();
    for (std::size_t i = 0; i < outs.size(); ++i)
        if (outs[i].name == name)
            return i;
    return outs.size();
}

std::size_t variant_index(const chiprace::config::Experiment& ex, const std::string& name) {
    for (std::size_t v = 0; v < ex.model->variant_count(); ++v)
        if (ex.model->variant_name(v) == name)
            return v;
    return ex.model->variant_count();
}

const std::string three_targets = R"([calibration]
min_ess = 50
on_low_ess = "error"

[[calibration.targets]]
output = "cn_stock"
year = 2025
policy = "rescission_deals"
observation = "normal"
mean = 1.2
sd = 0.3
source = "installed compute estimate, end of 2025"

[[calibration.targets]]
name = "smuggled_2026"
output = "cn_smuggled"
year = 2026
policy = "nvidia"
observation = "lognormal"
p05 = 0.1
p95 = 0.5

[[calibration.targets]]
output = "revenue"
year = 2027
policy = "diffusion_rule"
observation = "interval"
low = 10
high = 20
tolerance = 2
)";

} // namespace

TEST_CASE("calibration targets resolve to output, year, policy and observation") {
    const auto ex = load_experiment_text(race(three_targets));
    const auto& c = ex.calibration;
    CHECK(c.enabled);
    CHECK(c.min_ess == 50.0);
    CHECK(c.refuse_low_ess);
    REQUIRE(c.targets.size() == 3);

    const auto& stock = c.targets[0];
    CHECK(stock.name == "cn_stock_2025"); // the default name
    CHECK(stock.output == output_index(ex, "cn_stock"));
    REQUIRE(stock.year.has_value());
    CHECK(*stock.year == 2025);
    CHECK(stock.year_index == 0);
    CHECK(stock.policy == "rescission_deals");
    CHECK(stock.variant == variant_index(ex, "rescission_deals"));
    CHECK(stock.variant < ex.model->variant_count());
    CHECK(stock.observation.kind == Kind::normal);
    CHECK(stock.observation.a == 1.2);
    CHECK(stock.observation.b == 0.3);
    CHECK(stock.source == "installed compute estimate, end of 2025");

    const auto& smuggled = c.targets[1];
    CHECK(smuggled.name == "smuggled_2026");
    CHECK(smuggled.output == output_index(ex, "cn_smuggled"));
    CHECK(smuggled.year_index == 1);
    CHECK(smuggled.variant == variant_index(ex, "nvidia"));
    CHECK(smuggled.observation.kind == Kind::lognormal);
    CHECK(smuggled.observation.a == 0.1);
    CHECK(smuggled.observation.b == 0.5);
    CHECK(smuggled.source.empty());

    const auto& revenue = c.targets[2];
    CHECK(revenue.name == "revenue_2027");
    CHECK(revenue.year_index == 2);
    CHECK(revenue.variant == variant_index(ex, "diffusion_rule"));
    CHECK(revenue.observation.kind == Kind::interval);
    CHECK(revenue.observation.a == 10.0);
    CHECK(revenue.observation.b == 20.0);
    CHECK(revenue.observation.c == 2.0);
    // Distinct policies resolve to distinct variants (not all to the first one).
    CHECK(stock.variant != smuggled.variant);
    CHECK(smuggled.variant != revenue.variant);
}

TEST_CASE("calibration defaults: present without targets is valid, absent is off") {
    for (const std::string text : {"[calibration]\n", "[calibration]\ntargets = []\n"}) {
        CAPTURE(text);
        const auto ex = load_experiment_text(race(text));
        CHECK(ex.calibration.enabled);
        CHECK(ex.calibration.targets.empty());
        CHECK(ex.calibration.min_ess == 100.0);
        CHECK_FALSE(ex.calibration.refuse_low_ess);
        REQUIRE(ex.resolved.contains("calibration"));
        // The posterior outputs default to the model's headline outputs, in output order.
        CHECK(ex.resolved["calibration"] ==
              nlohmann::json{{"min_ess", 100.0},
                             {"on_low_ess", "warn"},
                             {"outputs", {"compute_ratio", "cn_smuggled", "frontier_gap_years"}},
                             {"targets", nlohmann::json::array()}});
        CHECK(ex.resolved["calibration"]["targets"].is_array());
    }
    const auto off = load_experiment_text(race(""));
    CHECK_FALSE(off.calibration.enabled);
    CHECK(off.calibration.targets.empty());
    // Experiments without [calibration] keep the resolved text they had.
    CHECK_FALSE(off.resolved.contains("calibration"));
}

TEST_CASE("calibration settings can be given with --set") {
    const auto ex = load_experiment_text(
        race(""), {"calibration.min_ess=50", "calibration.on_low_ess=\"error\""});
    CHECK(ex.calibration.enabled);
    CHECK(ex.calibration.min_ess == 50.0);
    CHECK(ex.calibration.refuse_low_ess);
    CHECK(ex.resolved["calibration"]["min_ess"] == 50.0);
    CHECK(ex.resolved["calibration"]["on_low_ess"] == "error");

    const auto overridden = load_experiment_text(race(three_targets), {"calibration.min_ess=7.5"});
    CHECK(overridden.calibration.min_ess == 7.5);
    CHECK(overridden.calibration.targets.size() == 3);

    const auto ds = config_errors(race(""), {"calibration.min_ess=0"});
    const auto d = diagnostic_with(ds, "calibration.min_ess must be a finite number > 0 (got 0)");
    CHECK(d.file == "--set calibration.min_ess=0");
}

TEST_CASE("calibration of a scalar output of a model without policies") {
    const auto ex = load_experiment_text(ishigami(R"([calibration]
[[calibration.targets]]
output = "y"
observation = "normal"
mean = 3.5
sd = 1
)"));
    REQUIRE(ex.calibration.targets.size() == 1);
    const auto& t = ex.calibration.targets[0];
    CHECK(t.name == "y");
    CHECK_FALSE(t.year.has_value());
    CHECK(t.year_index == 0);
    CHECK(t.variant == 0);
    CHECK(t.policy.empty());
    const auto& j = ex.resolved["calibration"]["targets"][0];
    CHECK_FALSE(j.contains("year"));
    CHECK(j["output"] == "y");

    const std::string wrong = R"([calibration]
[[calibration.targets]]
output = "y"
year = 2025
policy = "base"
observation = "normal"
mean = 3.5
sd = 1
)";
    const auto text = ishigami(wrong);
    const auto ds = config_errors(text);
    CHECK(ds.size() == 2);
    const auto year = diagnostic_with(ds, "'y' has one value per future, not one per year: "
                                          "leave out year");
    CHECK(year.line == line_of(text, "year = 2025"));
    CHECK(year.column == 8);
    const auto policy = diagnostic_with(ds, "model ishigami has no policies: leave out policy");
    CHECK(policy.line == line_of(text, "policy = \"base\""));
}

TEST_CASE("calibration of a scalar output under a policy") {
    const std::string target = R"([[calibration.targets]]
output = "cum_smuggled"
policy = "nvidia"
observation = "interval"
low = 1
high = 5
tolerance = 0
)";
    const auto ex = load_experiment_text(race(target));
    REQUIRE(ex.calibration.targets.size() == 1);
    const auto& t = ex.calibration.targets[0];
    CHECK(t.name == "cum_smuggled");
    CHECK(t.output == output_index(ex, "cum_smuggled"));
    CHECK_FALSE(ex.model->outputs()[t.output].per_year);
    CHECK_FALSE(t.year.has_value());
    CHECK(t.variant == variant_index(ex, "nvidia"));
    CHECK(t.observation.c == 0.0);
    CHECK(ex.resolved["calibration"]["min_ess"] == 100.0);

    const auto with_year = race(target + "year = 2030\n");
    const auto ds = config_errors(with_year);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message == "calibration.targets: 'cum_smuggled' has one value per future, not one "
                           "per year: leave out year");
    CHECK(ds[0].line == line_of(with_year, "year = 2030"));
}

TEST_CASE("every calibration mistake is located and reported in one pass") {
    const std::string text = race(R"([calibration]
min_es = 10
on_low_ess = "eror"

[[calibration.targets]]
output = "cn_stok"
year = 2025
policy = "nvidia"
observation = "normal"
mean = 1
sd = 1

[[calibration.targets]]
output = "cn_stock"
year = 2050
policy = "rescision_deals"
observation = "normla"
mean = 1
sd = 1

[[calibration.targets]]
output = "cn_stock"
policy = "nvidia"
observation = "lognormal"
p05 = 2
p95 = 1

[[calibration.targets]]
output = "cn_stock"
year = 2026
observation = "normal"
mean = 1
sd = 0

[[calibration.targets]]
output = "cn_stock"
year = 2027
policy = "nvidia"
observation = "normal"
mean = 1

[[calibration.targets]]
output = "cn_stock"
year = 2028
policy = "nvidia"
observation = "lognormal"
mean = 1
p05 = 0
p95 = 1

[[calibration.targets]]
output = "cn_stock"
year = 2029
policy = "nvidia"
observation = "interval"
low = 3
high = 2
tolerance = -1
sdd = 4

[[calibration.targets]]
output = "cn_stock"
year = 2030
policy = "nvidia"
observation = "normal"
mean = nan
sd = 1
source = 5
name = "a/b"

[[calibration.targets]]
output = "revenue"
year = 2030
policy = "nvidia"
observation = "normal"
mean = 1
sd = 1

[[calibration.targets]]
output = "revenue"
year = 2030
policy = "anthropic"
observation = "normal"
mean = 2
sd = 1

[[calibration.targets]]
output = "revenue"
year = 2031
policy = "nvidia"
mean = 2
sd = 1
)");
    const auto ds = config_errors(text);
    auto at = [&](const std::string& message, const std::string& where) {
        CAPTURE(message);
        const auto d = diagnostic_with(ds, message);
        CHECK(d.message.find(message) != std::string::npos);
        CHECK(d.line == line_of(text, where));
        CHECK(d.file.find("chiprace-test-") != std::string::npos);
    };
    at("unknown key 'min_es' in [calibration]; did you mean 'min_ess'?", "min_es =");
    at("calibration.on_low_ess: unknown value 'eror'; did you mean 'error'?", "on_low_ess = ");
    at("'cn_stok' is not an output of model compute_race; did you mean 'cn_stock'?",
       "output = \"cn_stok\"");
    at("year 2050 is outside the model's horizon 2025-2035", "year = 2050");
    at("'rescision_deals' is not a policy of the experiment; did you mean 'rescission_deals'?",
       "policy = \"rescision_deals\"");
    at("unknown observation 'normla'; did you mean 'normal'?", "observation = \"normla\"");
    // A missing key is reported at the target's [[calibration.targets]] header.
    CHECK(mentions(ds, "'cn_stock' has one value per year: give year = <one of 2025-2035>"));
    at("p95 must be greater than p05 (got p05 = 2, p95 = 1)", "p95 = 1\n\n[[calibration.targets]]\n"
                                                              "output = \"cn_stock\"\nyear = 2026");
    at("a target needs policy = \"<name>\", the policy that describes what actually happened "
       "(one of: pre_diffusion, diffusion_rule, anthropic, nvidia, rescission_deals, "
       "tight_enforcement)",
       "[[calibration.targets]]\noutput = \"cn_stock\"\nyear = 2026");
    at("sd must be > 0 (got 0)", "sd = 0");
    at("sd is missing: a normal observation needs mean, sd",
       "[[calibration.targets]]\noutput = \"cn_stock\"\nyear = 2027");
    at("'mean' belongs to a normal observation; a lognormal one takes p05, p95",
       "mean = 1\np05 = 0");
    at("p05 must be > 0: a lognormal observation is of a positive quantity (got 0)", "p05 = 0");
    at("high must be >= low (got low = 3, high = 2)", "high = 2");
    at("tolerance must be >= 0", "tolerance = -1");
    at("unknown key 'sdd' in [calibration.targets]; expected one of: name, output, year, policy, "
       "observation, source, low, high, tolerance",
       "sdd = 4");
    at("mean must be a finite number", "mean = nan");
    at("source must be a string", "source = 5");
    at("name must be a string of 1 to 64 letters", "name = \"a/b\"");
    at("two targets are named 'revenue_2030'; give one another name = \"...\"",
       "[[calibration.targets]]\noutput = \"revenue\"\nyear = 2030\npolicy = \"anthropic\"");
    at("a target needs observation = \"normal\" (mean, sd), \"lognormal\" (p05, p95) or "
       "\"interval\" (low, high, tolerance)",
       "[[calibration.targets]]\noutput = \"revenue\"\nyear = 2031");
    std::string all;
    for (const auto& d : ds)
        all += d.to_string() + "\n";
    INFO(all);
    CHECK(ds.size() == 21);
}

TEST_CASE("calibration table shapes and settings that are wrong") {
    auto errors = [](const std::string& calibration) { return config_errors(race(calibration)); };
    CHECK(mentions(config_errors("calibration = 3\n" + race("")), "calibration must be a table"));
    CHECK(mentions(errors("[calibration]\ntargets = 3\n"),
                   "calibration.targets must be an array of tables"));
    CHECK(mentions(errors("[calibration]\ntargets = [1]\n"),
                   "calibration.targets: each target must be a table"));
    CHECK(mentions(errors("[calibration]\nmin_ess = -1\n"),
                   "calibration.min_ess must be a finite number > 0 (got -1)"));
    CHECK(mentions(errors("[calibration]\nmin_ess = inf\n"),
                   "calibration.min_ess must be a finite number > 0 (got inf)"));
    CHECK(mentions(errors("[calibration]\nmin_ess = \"many\"\n"),
                   "calibration.min_ess must be a finite number > 0: the effective"));
    CHECK(mentions(errors("[calibration]\non_low_ess = \"stop\"\n"),
                   "calibration.on_low_ess must be \"warn\" (warn, and write the posterior) or "
                   "\"error\" (write no posterior, exit code 1)"));
    CHECK(mentions(errors("[calibration]\nzzzzzzzz = 1\n"),
                   "unknown key 'zzzzzzzz' in [calibration]; expected one of: min_ess, "
                   "on_low_ess, outputs, targets"));
    // A policy that is defined but does not run cannot be what was observed.
    const auto not_running =
        config_errors(race("[[calibration.targets]]\noutput = \"cn_stock\"\nyear = 2025\npolicy = "
                           "\"anthropic\"\nobservation = \"normal\"\nmean = 1\nsd = 1\n"),
                      {"experiment.policies=[\"diffusion_rule\", \"nvidia\"]"});
    CHECK(mentions(not_running, "policy 'anthropic' does not run (experiment.policies leaves it "
                                "out); the observed policy must be one that runs: "
                                "diffusion_rule, nvidia"));
    CHECK(not_running.size() == 1);
}

TEST_CASE("the resolved experiment records each calibration target with its numbers") {
    const auto ex = load_experiment_text(race(three_targets));
    const auto& j = ex.resolved["calibration"];
    CHECK(j["min_ess"] == 50.0);
    CHECK(j["on_low_ess"] == "error");
    REQUIRE(j["targets"].size() == 3);
    CHECK(j["targets"][0] == nlohmann::json{{"name", "cn_stock_2025"},
                                            {"output", "cn_stock"},
                                            {"year", 2025},
                                            {"policy", "rescission_deals"},
                                            {"observation", "normal"},
                                            {"mean", 1.2},
                                            {"sd", 0.3},
                                            {"source", "installed compute estimate, end of 2025"}});
    CHECK(j["targets"][1] == nlohmann::json{{"name", "smuggled_2026"},
                                            {"output", "cn_smuggled"},
                                            {"year", 2026},
                                            {"policy", "nvidia"},
                                            {"observation", "lognormal"},
                                            {"p05", 0.1},
                                            {"p95", 0.5},
                                            {"source", ""}});
    CHECK(j["targets"][2] == nlohmann::json{{"name", "revenue_2027"},
                                            {"output", "revenue"},
                                            {"year", 2027},
                                            {"policy", "diffusion_rule"},
                                            {"observation", "interval"},
                                            {"low", 10.0},
                                            {"high", 20.0},
                                            {"tolerance", 2.0},
                                            {"source", ""}});
}

TEST_CASE("calibration outputs: the outputs given posterior summaries") {
    const auto base = load_experiment_text(race("[calibration]\n")); // outputs() lives in it
    const auto& outputs = base.model->outputs();
    auto index = [&](const std::string& name) {
        for (std::size_t k = 0; k < outputs.size(); ++k)
            if (outputs[k].name == name)
                return k;
        FAIL("no output " << name);
        return std::size_t{0};
    };
    const auto all = load_experiment_text(race("[calibration]\noutputs = \"all\"\n"));
    CHECK(all.calibration.posterior_outputs.size() == outputs.size());
    const auto two = load_experiment_text(
        race("[calibration]\noutputs = [\"revenue\", \"cn_stock\", \"revenue\"]\n"));
    const std::vector<std::size_t> expected =
        index("cn_stock") < index("revenue")
            ? std::vector<std::size_t>{index("cn_stock"), index("revenue")}
            : std::vector<std::size_t>{index("revenue"), index("cn_stock")};
    CHECK(two.calibration.posterior_outputs == expected);
    CHECK(two.resolved["calibration"]["outputs"].size() == 2);
    // Targets do not add their outputs: the default is the headline outputs alone.
    const auto with_target = load_experiment_text(race(R"([calibration]
[[calibration.targets]]
output = "us_stock"
year = 2025
policy = "rescission_deals"
observation = "normal"
mean = 14
sd = 2
)"));
    CHECK(with_target.calibration.posterior_outputs ==
          std::vector<std::size_t>{index("compute_ratio"), index("cn_smuggled"),
                                   index("frontier_gap_years")});
    CHECK(mentions(config_errors(race("[calibration]\noutputs = [\"cn_stok\"]\n")),
                   "calibration.outputs: unknown output 'cn_stok'; did you mean 'cn_stock'?"));
    CHECK(mentions(config_errors(race("[calibration]\noutputs = 3\n")),
                   "calibration.outputs must be \"all\" or an array of output names"));
}
