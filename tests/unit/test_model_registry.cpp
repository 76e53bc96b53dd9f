// The registry and the schema: built-in models are registered definitions like any plug-in's,
// plug-ins load once and refuse what they must, and the loader's messages come from the schema.
#include "chiprace/app/models_command.hpp"
#include "chiprace/config/model_plugin.hpp"
#include "chiprace/core/sha256.hpp"
#include "chiprace/model/model_registry.hpp"
#include "experiment_text.hpp"

#include <doctest/doctest.h>
#include <sstream>
#include <string>

using namespace chiprace;
using testing::config_errors;
using testing::mentions;

namespace {

std::string fixture(int k) {
    return std::string(CHIPRACE_FIXTURE_PLUGIN_DIR) + "/libfixture_plugin_" + std::to_string(k) +
           ".so";
}

/// An experiment of the fixture plug-in's model, with `extra` appended.
std::string ramp_experiment(const std::string& extra = "") {
    return "[experiment]\nname = \"ramp\"\nmodel = \"fixture_ramp\"\nsamples = 8\n"
           "plugins = [\"" +
           fixture(1) +
           "\"]\n"
           "[model]\ninitial = 1.0\n"
           "[parameters]\nrate = { dist = \"uniform\", low = 1, high = 2 }\n"
           "[policies.open]\nthrottle = 1\n"
           "[policies.half]\nthrottle = 0.5\n" +
           extra;
}

model::ModelDefinition minimal(std::string name) {
    model::ModelDefinition d;
    d.name = std::move(name);
    d.outputs = {{"y", "1", "", false}};
    d.build = [](const model::ModelArguments&) -> std::shared_ptr<const model::Model> {
        return nullptr;
    };
    return d;
}

} // namespace

TEST_CASE("registry: the built-in models are registered definitions") {
    const auto& registry = model::model_registry();
    for (const char* name : {"compute_race", "failure_box", "ishigami", "linear", "sobol_g"}) {
        const auto* m = registry.find(name);
        REQUIRE(m != nullptr);
        CHECK(m->origin == "built-in");
        CHECK(model::definition_problem(*m->definition).empty());
    }
    const auto& race = *registry.find("compute_race")->definition;
    CHECK(race.parameters.size() == 62);
    CHECK(race.levers.size() == 18);
    CHECK(race.outputs.size() == 38);
    CHECK(race.default_priors == "experiments/priors/default.toml");
    CHECK(registry.find("nonexistent") == nullptr);
}

TEST_CASE("registry: a definition with a problem is refused with the reason") {
    model::ModelRegistry r;
    auto bad_name = minimal("9lives");
    CHECK_THROWS_WITH_AS(r.add(bad_name, "test"), doctest::Contains("letters, digits"),
                         std::invalid_argument);
    auto twice = minimal("twice");
    twice.outputs.push_back(twice.outputs.front());
    CHECK_THROWS_WITH_AS(r.add(twice, "test"), doctest::Contains("output 'y' twice"),
                         std::invalid_argument);
    auto levers = minimal("levers");
    levers.levers = {{"l", "", ""}};
    CHECK_THROWS_WITH_AS(r.add(levers, "test"), doctest::Contains("needs a time axis"),
                         std::invalid_argument);
    auto no_build = minimal("no_build");
    no_build.build = nullptr;
    CHECK_THROWS_WITH_AS(r.add(no_build, "test"), doctest::Contains("no build function"),
                         std::invalid_argument);
    r.add(minimal("fine"), "first.so");
    CHECK_THROWS_WITH_AS(r.add(minimal("fine"), "second.so"),
                         doctest::Contains("second.so defines model 'fine', which first.so"),
                         std::invalid_argument);
}

TEST_CASE("plug-ins: loaded once, recorded with sha256 and version; refused with a reason") {
    const auto& p = config::load_model_plugin(fixture(1));
    CHECK(p.version == "2.1");
    CHECK(p.sha256 == sha256_of_file(fixture(1)));
    CHECK(p.models == std::vector<std::string>{"fixture_ramp"});
    CHECK(&config::load_model_plugin(fixture(1)) == &p); // the same record, not a second load
    REQUIRE(model::model_registry().find("fixture_ramp") != nullptr);
    CHECK(model::model_registry().find("fixture_ramp")->origin == p.path);

    using config::PluginError;
    CHECK_THROWS_WITH_AS(config::load_model_plugin(fixture(1) + ".missing"),
                         doctest::Contains("does not exist"), PluginError);
    CHECK_THROWS_WITH_AS(config::load_model_plugin(fixture(2)),
                         doctest::Contains("built for plug-in interface 3"), PluginError);
    CHECK_THROWS_WITH_AS(config::load_model_plugin(fixture(3)),
                         doctest::Contains("was built with chiprace 0.0.1"), PluginError);
    CHECK_THROWS_WITH_AS(config::load_model_plugin(fixture(4)),
                         doctest::Contains("defines model 'ishigami', which built-in already"),
                         PluginError);
    CHECK_THROWS_WITH_AS(config::load_model_plugin(fixture(5)),
                         doctest::Contains("is not a chiprace model plug-in"), PluginError);
    CHECK_THROWS_WITH_AS(config::load_model_plugin(CHIPRACE_SOURCE_DIR "/README.md"),
                         doctest::Contains("cannot load plug-in"), PluginError);
}

TEST_CASE("plug-in model: built from the schema, resolved, and recorded in the experiment") {
    const auto ex = testing::load_experiment_text(ramp_experiment());
    REQUIRE(ex.model != nullptr);
    CHECK(ex.model->variant_count() == 2);
    CHECK(ex.model->years().size() == 3);
    CHECK(ex.model->years()[0] == 2025);
    // Defaults filled in, of each kind; levers per year.
    const auto& m = ex.resolved["model"];
    CHECK(m["first_year"] == 2025);
    CHECK(m["years"] == 3);
    CHECK(m["initial"] == 1.0);
    CHECK(m["weights"] == nlohmann::json::array({0.5}));
    CHECK(m["policy_levers_by_year"]["half"]["throttle"] == nlohmann::json::array({0.5, 0.5, 0.5}));
    // Provenance: the plug-in as written, where it is, its bytes and version.
    const auto& p = ex.resolved["experiment"]["plugins"];
    REQUIRE(p.size() == 1);
    CHECK(p[0]["version"] == "2.1");
    CHECK(p[0]["sha256"] == sha256_of_file(fixture(1)));
    CHECK(p[0]["models"] == nlohmann::json::array({"fixture_ramp"}));
    // The optional parameter `noise`, not sampled, is absent; the model still evaluates.
    std::vector<double> rate{1.5, 2.0}, out(ex.model->column_count() * 2);
    model::OutputBlock block(out, 2);
    ex.model->evaluate(1, model::InputBlock(rate, 2), block);
    CHECK(out[2 * 2 + 0] == 1.0 + 3 * 0.75); // final stock, sample 0, policy "half"
    CHECK(out[2 * 2 + 1] == 1.0 + 3 * 1.0);
}

TEST_CASE("plug-in model: every schema problem in one pass, located, with suggestions") {
    const auto errors =
        config_errors(ramp_experiment("[policies.bad]\nthrotle = 0.5\n"
                                      "[policies.high]\nthrottle = 2\n"),
                      {"model.yeras=4", "model.first_year=1990", "model.weights=[0.5, 1.5]",
                       "parameters.noise={ dist = \"uniform\", low = 0, high = 2 }",
                       "parameters.rat={ dist = \"uniform\", low = 0, high = 1 }"});
    for (const auto& d : errors)
        MESSAGE(d.to_string());
    CHECK(mentions(errors, "unknown key 'yeras' in [model]; did you mean 'years'? (settings of "
                           "model 'fixture_ramp')"));
    CHECK(mentions(errors, "[model] first_year must be a year in 2000-2100"));
    CHECK(mentions(errors, "[model] weights: each entry must be a share in [0, 1]"));
    CHECK(mentions(errors, "parameter 'noise' must be a share in [0, 1], but uniform"));
    CHECK(mentions(errors, "model 'fixture_ramp' has no parameter 'rat'; did you mean 'rate'?"));
    // Policies are read once the years are known, so a bad first_year stops there; the other
    // problems are all reported.
    CHECK(errors.size() == 5);
    const auto more = config_errors(
        ramp_experiment("[policies.bad]\nthrotle = 0.5\n[policies.high]\nthrottle = 2\n"),
        {"model.initial=5000"});
    CHECK(mentions(more, "unknown key 'throtle' in [policies.bad]; did you mean 'throttle'?"));
    CHECK(mentions(more, "policies.high.throttle must be a share in [0, 1]"));
    CHECK(mentions(more, "[model] initial above 1000 is not a ramp")); // the model's own check
    for (const auto& d : more)
        if (d.message.find("initial above") != std::string::npos)
            CHECK(d.file.rfind("--set", 0) == 0); // located at the --set that gave it
    // A required setting and a required parameter missing.
    const auto missing = config_errors(ramp_experiment(), {"model={}"});
    CHECK(mentions(missing, "model 'fixture_ramp' needs [model] initial, starting stock"));
    std::string without_rate = ramp_experiment();
    without_rate.replace(without_rate.find("rate = "), 4, "rote");
    const auto no_rate = config_errors(without_rate);
    CHECK(mentions(no_rate, "model 'fixture_ramp' needs parameter 'rate' in [parameters] (its "
                            "parameters are rate, noise)"));
    CHECK(mentions(no_rate, "model 'fixture_ramp' has no parameter 'rote'; did you mean 'rate'?"));
}

TEST_CASE("plug-in model: plugins entries are checked and located") {
    const auto errors = config_errors(
        "[experiment]\nname = \"x\"\nmodel = \"ishigami\"\nsamples = 8\n"
        "plugins = [\"no/such/libplugin.so\", 3]\n"
        "[parameters]\nx1 = { dist = \"fixed\", value = 0 }\n"
        "x2 = { dist = \"fixed\", value = 0 }\nx3 = { dist = \"fixed\", value = 0 }\n");
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].line == 5);
    CHECK(errors[0].message.find("no/such/libplugin.so' does not exist") != std::string::npos);
    CHECK(errors[1].message == "experiment.plugins entries must be file names");
    const auto not_array = config_errors(
        "[experiment]\nname = \"x\"\nmodel = \"ishigami\"\nsamples = 8\n"
        "plugins = \"libx.so\"\n[parameters]\nx1 = { dist = \"fixed\", value = 0 }\n"
        "x2 = { dist = \"fixed\", value = 0 }\nx3 = { dist = \"fixed\", value = 0 }\n");
    CHECK(mentions(not_array, "experiment.plugins must be an array of plug-in files"));
}

TEST_CASE("chiprace models NAME: the schema the loader checks, as a user reads it") {
    std::ostringstream out;
    app::print_model_schema("compute_race", out);
    const std::string text = out.str();
    CHECK(text.find("model        compute_race (version 2, built-in)") != std::string::npos);
    CHECK(text.find("priors       experiments/priors/default.toml") != std::string::npos);
    CHECK(text.find("start_year                integer, a calendar year (an integer), default "
                    "2025") != std::string::npos);
    CHECK(text.find("trusted_share             a share in [0, 1], optional (neutral 0)") !=
          std::string::npos);
    CHECK(text.find("frontier_gap_years        per year  years") != std::string::npos);
    std::ostringstream none;
    app::print_model_schema("no_such_model", none);
    CHECK(none.str().empty());
}
