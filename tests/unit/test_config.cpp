#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/config/toml_diagnostics.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using chiprace::ConfigError;
using chiprace::config::load_experiment;
namespace fs = std::filesystem;

namespace {

/// A scratch directory removed at scope exit.
class TempDir {
public:
    TempDir() {
        path_ = fs::temp_directory_path() / ("chiprace-config-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(counter_++));
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

const std::string good = R"([experiment]
name = "t"
model = "ishigami"
samples = 100
seed = 3

[model]
a = 7.0
b = 0.1

[parameters]
x3 = { dist = "uniform", low = -1, high = 1 }
x1 = { dist = "normal", mean = 0, sd = 1 }
x2 = { dist = "beta", alpha = 2, beta = 3, units = "share" }
)";

/// The diagnostics of loading text, or an empty list when it loads.
std::vector<chiprace::Diagnostic> errors_of(const std::string& text,
                                            const std::vector<std::string>& overrides = {}) {
    TempDir dir;
    const auto path = dir.write("x.toml", text);
    try {
        (void)load_experiment(path, overrides);
    } catch (const ConfigError& e) {
        return e.diagnostics();
    }
    return {};
}

bool mentions(const std::vector<chiprace::Diagnostic>& ds, const std::string& needle) {
    for (const auto& d : ds)
        if (d.to_string().find(needle) != std::string::npos)
            return true;
    return false;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

} // namespace

TEST_CASE("a valid experiment loads with its parameters in file order") {
    TempDir dir;
    const auto ex = load_experiment(dir.write("x.toml", good));
    CHECK(ex.name == "t");
    CHECK(ex.samples == 100);
    CHECK(ex.seed == 3);
    CHECK(ex.design == "mc");
    CHECK(ex.block_size == 1024);
    REQUIRE(ex.parameters.dimension() == 3);
    CHECK(ex.parameters.parameters()[0].name == "x3");
    CHECK(ex.parameters.parameters()[1].name == "x1");
    CHECK(ex.parameters.parameters()[2].name == "x2");
    CHECK(ex.parameters.parameters()[2].units == "share");
    CHECK(ex.model != nullptr);
    CHECK(ex.model->name() == "ishigami");
    CHECK(ex.resolved["experiment"]["samples"] == 100);
    CHECK(ex.source_text == good);
}

TEST_CASE("--set overrides any value, a bare word being a string") {
    TempDir dir;
    const auto path = dir.write("x.toml", good);
    const auto ex =
        load_experiment(path, {"output.store=summary", "experiment.samples=7",
                               "output.quantiles=[0.1, 0.9]", "parameters.x3.high=2.5"});
    CHECK(ex.output.store == chiprace::config::StoreMode::summary);
    CHECK(ex.samples == 7);
    CHECK(ex.output.quantiles == std::vector<double>{0.1, 0.9});
    CHECK(ex.parameters.parameters()[0].distribution.describe() == "uniform(low=-1, high=2.5)");
}

TEST_CASE("names that would make bad file or dataset names are rejected") {
    CHECK(mentions(errors_of(replace(good, "name = \"t\"", "name = \"a b\"")), "experiment.name"));
    CHECK(mentions(errors_of(replace(good, "name = \"t\"", "name = \"\"")), "experiment.name"));
    CHECK(mentions(errors_of(good + "\"a/b\" = { dist = \"fixed\", value = 1 }\n"),
                   "parameter name 'a/b'"));
    CHECK(mentions(errors_of(replace(good, "seed = 3", "block_size = 100000000")),
                   "block_size must be at most"));
}

TEST_CASE("a malformed --set is reported") {
    CHECK(
        mentions(errors_of(good, {"experiment.include=[\"x.toml\"]"}), "includes are read before"));
    CHECK(mentions(errors_of(good, {"experiment.samples=0"}),
                   "--set experiment.samples=0: experiment.samples must be positive"));
    CHECK(mentions(errors_of(good, {"experiment.samples"}), "expected KEY.PATH=VALUE"));
    CHECK(mentions(errors_of(good, {"experiment.samples=0"}), "samples must be positive"));
    CHECK(mentions(errors_of(good, {"experiment.name.x=1"}), "is a value, not a table"));
}

TEST_CASE("a missing file is reported with its name") {
    std::vector<chiprace::Diagnostic> ds;
    try {
        (void)load_experiment("/nonexistent/dir/exp.toml");
    } catch (const ConfigError& e) {
        ds = e.diagnostics();
    }
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].to_string().find("/nonexistent/dir/exp.toml: cannot open") == 0);
}

TEST_CASE("a TOML syntax error gives file:line:column") {
    const auto ds = errors_of(replace(good, "seed = 3", "seed = = 3"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 5);
    CHECK(ds[0].column > 0);
    CHECK(ds[0].to_string().find("x.toml:5:") != std::string::npos);
    CHECK(ds[0].message.find("TOML syntax error") == 0);
}

TEST_CASE("unknown keys are located and get a did-you-mean") {
    const auto ds = errors_of(replace(good, "samples = 100", "smaples = 100"));
    CHECK(
        mentions(ds, "x.toml:4:1: unknown key 'smaples' in [experiment]; did you mean 'samples'?"));
    // One mistake, one message: the misspelling explains the missing key.
    CHECK(ds.size() == 1);
    CHECK(mentions(errors_of(replace(good, "samples = 100\n", "")),
                   "x.toml:1:2: missing required key 'samples' in [experiment]"));
    CHECK(mentions(errors_of(good + "[ouput]\nstore = \"raw\"\n"), "did you mean 'output'?"));
    CHECK(mentions(errors_of(replace(good, "sd = 1", "sdev = 1")), "did you mean 'sd'?"));
    CHECK(mentions(errors_of(replace(good, "model = \"ishigami\"", "model = \"ishigam\"")),
                   "unknown model 'ishigam'; did you mean 'ishigami'?"));
    CHECK(mentions(errors_of(replace(good, "\"normal\"", "\"gaussian\"")),
                   "unknown distribution 'gaussian'"));
}

TEST_CASE("invalid distribution parameters name the parameter and the problem") {
    const auto ds = errors_of(replace(good, "sd = 1", "sd = -1"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 13);
    CHECK(ds[0].message == "parameter 'x1' (normal): sd must be a positive number (got -1)");
    CHECK(mentions(errors_of(replace(good, "low = -1, high = 1", "low = 1, high = 1")),
                   "parameter 'x3' (uniform): low must be less than high"));
    CHECK(mentions(errors_of(replace(good, "alpha = 2", "alpha = 0")), "alpha must be a positive"));
    CHECK(mentions(errors_of(replace(good, "alpha = 2", "alpha = \"two\"")),
                   "alpha must be a number"));
    CHECK(mentions(errors_of(replace(good, "alpha = 2, ", "")), "is missing 'alpha'"));
}

TEST_CASE("every problem in a file is reported, not only the first") {
    std::string text = replace(good, "samples = 100", "samples = -5");
    text = replace(text, "sd = 1", "sd = 0");
    text = replace(text, "seed = 3", "seed = 3\nbogus = 1");
    const auto ds = errors_of(text);
    CHECK(ds.size() == 3);
    CHECK(mentions(ds, "x.toml:4:11: experiment.samples must be positive (got -5)"));
    CHECK(mentions(ds, "sd must be a positive"));
    CHECK(mentions(ds, "unknown key 'bogus'"));
}

TEST_CASE("model inputs must match the parameters") {
    CHECK(mentions(errors_of(replace(good, "x2 = {", "x4 = {")),
                   "model 'ishigami' needs parameter 'x2'"));
    CHECK(mentions(errors_of(replace(good, "x2 = {", "x4 = {")), "has no input 'x4'"));
    CHECK(mentions(errors_of(replace(good, "a = 7.0", "c = 7.0")), "unknown key 'c' in [model]"));
}

TEST_CASE("output settings are validated") {
    CHECK(mentions(errors_of(good + "[output]\nstore = \"everything\"\n"),
                   "output.store must be \"raw\" or \"summary\""));
    CHECK(mentions(errors_of(good + "[output]\nquantiles = [0.5, 1.5]\n"), "in [0, 1]"));
    CHECK(mentions(errors_of(good + "[output]\nquantiles = [0.9, 0.1]\n"), "strictly increasing"));
    CHECK(mentions(errors_of(good + "[output]\nquantiles = [0.5, 0.5]\n"), "strictly increasing"));
    CHECK(mentions(errors_of(replace(good, "samples = 100", "samples = 1.5")),
                   "samples must be an integer"));
    CHECK(mentions(errors_of(replace(good, "seed = 3", "design = \"lhz\"")),
                   "unknown design 'lhz'; did you mean 'lhs'?"));
    CHECK(mentions(errors_of(good + "[design]\nlevels = 4\n"),
                   "design.levels applies to design morris, not 'mc'"));
    CHECK(mentions(
        errors_of(replace(good, "seed = 3", "design = \"morris\"") + "[design]\nlevels = 3\n"),
        "design.levels must be an even integer"));
    CHECK(mentions(
        errors_of(replace(good, "seed = 3", "design = \"grid\"") + "[design.grid]\nx9 = [1, 2]\n"),
        "'x9' is not a parameter"));
    CHECK(mentions(errors_of(replace(good, "seed = 3", "design = \"grid\"") +
                             "[design.grid]\nx1 = [1, 2, 3]\n"),
                   "must be a multiple of the number of grid cells (3)"));
}

TEST_CASE("quantile_relative_error picks the sketch precision") {
    TempDir dir;
    const auto ex =
        load_experiment(dir.write("x.toml", good + "[output]\nquantile_relative_error = 0.001\n"));
    // 2^-(m+1) <= 0.001 first holds at m = 9.
    CHECK(ex.output.sketch_mantissa_bits == 9);
}

TEST_CASE("includes merge tables, the including file wins, cycles and missing files are errors") {
    TempDir dir;
    dir.write("priors.toml", "[parameters]\nx1 = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "x2 = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "x3 = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "[model]\na = 1.0\n");
    const auto path =
        dir.write("main.toml", "[experiment]\nname = \"i\"\nmodel = \"ishigami\"\n"
                               "samples = 10\ninclude = [\"priors.toml\"]\n"
                               "[parameters]\nx2 = { dist = \"fixed\", value = 0.5 }\n");
    const auto ex = load_experiment(path);
    REQUIRE(ex.parameters.dimension() == 3);
    CHECK(ex.parameters.parameters()[0].name == "x1");
    CHECK(ex.parameters.parameters()[1].distribution.describe() == "fixed(value=0.5)");
    CHECK(ex.resolved["model"]["a"] == 1.0);
    CHECK(ex.included_paths.size() == 1);

    const auto self = dir.write("self.toml", "[experiment]\ninclude = [\"self.toml\"]\n");
    CHECK_THROWS_WITH_AS((void)load_experiment(self), doctest::Contains("includes itself"),
                         ConfigError);
    const auto missing = dir.write("missing.toml", "[experiment]\ninclude = [\"nope.toml\"]\n");
    CHECK_THROWS_WITH_AS((void)load_experiment(missing), doctest::Contains("does not exist"),
                         ConfigError);
}

TEST_CASE("sobol_g takes one input per entry of a") {
    TempDir dir;
    const std::string text = "[experiment]\nname = \"g\"\nmodel = \"sobol_g\"\nsamples = 10\n"
                             "[model]\na = [0, 1, 4.5]\n[parameters]\n"
                             "p = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "q = { dist = \"uniform\", low = 0, high = 1 }\n";
    CHECK(mentions(errors_of(text), "one input per entry of a (3), but [parameters] lists 2"));
    const auto ex = load_experiment(
        dir.write("g.toml", text + "r = { dist = \"uniform\", low = 0, high = 1 }\n"));
    CHECK(ex.model->name() == "sobol_g");
}

TEST_CASE("did-you-mean only suggests plausible typos") {
    using chiprace::config::closest_match;
    const std::string_view keys[] = {"samples", "seed", "design"};
    CHECK(closest_match("smaples", keys) == "samples");
    CHECK(closest_match("sede", keys) == "seed");
    CHECK_FALSE(closest_match("temperature", keys).has_value());
    // A name cut short is suggested when only one candidate begins with it.
    const std::string_view outputs[] = {"frontier_gap_years", "compute_ratio", "cn_smuggled",
                                        "cn_smuggled_share"};
    CHECK(closest_match("frontier_gap", outputs) == "frontier_gap_years");
    CHECK_FALSE(closest_match("cn_smug", outputs).has_value()); // two begin with it
    CHECK_FALSE(closest_match("fro", outputs).has_value());     // too short to be a name
    CHECK(chiprace::config::edit_distance("kitten", "sitting") == 3);
}

// Regressions found by the fuzzer (tests/fuzz/findings/): each was a crash, each must be a
// located error.
TEST_CASE("an override that is not UTF-8 is an error, not a crash") {
    const auto errors = errors_of(good, {"experiment.name=\xff\xfe"});
    CHECK(mentions(errors, "--set: an override is not valid UTF-8 text"));
    const auto key = errors_of(good, {"experi\xc3\x28ment.samples=5"});
    CHECK(mentions(key, "not valid UTF-8"));
    // Well-formed multi-byte text passes this check (and meets the usual ones).
    CHECK_FALSE(mentions(errors_of(good, {"experiment.description=\"réseau\""}), "UTF-8"));
}

TEST_CASE("a grid with more cells than samples is an error, even when the product overflows") {
    // 64 axes of 2 values: 2^64 cells wrap a 64-bit count to 0 (then a division by zero).
    std::string text = replace(good, "seed = 3", "seed = 3\ndesign = \"grid\"");
    std::string grid = "[design.grid]\n";
    for (int k = 0; k < 64; ++k) {
        std::string name = "p";
        name += std::to_string(k);
        text = replace(text, "[parameters]\n",
                       "[parameters]\n" + name + " = { dist = \"fixed\", value = 0 }\n");
        grid += name;
        grid += " = [0.0, 1.0]\n";
    }
    text += grid;
    CHECK(mentions(errors_of(text), "the grid has more cells than experiment.samples"));
}

// Each error is located where the user has to make the fix (tests/bad_inputs/ has the same
// cases through the binary).
TEST_CASE("a string left open is reported as unterminated, on its line") {
    const auto ds = errors_of(replace(good, "name = \"t\"", "name = \"t"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 2);
    CHECK(ds[0].message.find("unterminated string") != std::string::npos);
    CHECK(ds[0].message.find("control characters") == std::string::npos);
    // Other syntax errors keep the parser's own words.
    CHECK(errors_of(replace(good, "seed = 3", "seed = = 3"))[0].message.find("unterminated") ==
          std::string::npos);
}

TEST_CASE("an error caused by --set is located at the override, not in the file") {
    const auto part = errors_of(good, {"output.store=\"summary\"", "parameters.x3.high=-4"});
    REQUIRE(part.size() == 1);
    CHECK(part[0].to_string().find("--set parameters.x3.high=-4: parameter 'x3' (uniform): low "
                                   "must be less than high") == 0);
    const auto whole = errors_of(good, {"parameters.x3={ dist = \"uniform\", low = 1, high = 0 }"});
    REQUIRE(whole.size() == 1);
    CHECK(whole[0].to_string().find("--set parameters.x3=") == 0);
}

TEST_CASE("a parameter replaced after an include is located in the file that replaced it") {
    TempDir dir;
    dir.write("priors.toml", "[parameters]\nx1 = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "x2 = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "x3 = { dist = \"uniform\", low = 0, high = 1 }\n");
    const auto path =
        dir.write("main.toml", "[experiment]\nname = \"i\"\nmodel = \"ishigami\"\n"
                               "samples = 10\ninclude = [\"priors.toml\"]\n"
                               "[parameters]\nx2 = { dist = \"uniform\", low = 1, high = 0 }\n");
    std::vector<chiprace::Diagnostic> ds;
    try {
        (void)load_experiment(path);
    } catch (const ConfigError& e) {
        ds = e.diagnostics();
    }
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].file == path);
    CHECK(ds[0].line == 7);
}

TEST_CASE("a sample count beyond 2^53 runs is refused at its line") {
    const auto ds = errors_of(replace(good, "samples = 100", "samples = 9223372036854775807"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].line == 4);
    CHECK(ds[0].message.find("at most 2^53") != std::string::npos);
    CHECK(errors_of(replace(good, "samples = 100", "samples = 9007199254740992")).empty());
    // Saltelli multiplies: 2^51 base points of 3 parameters are 5 x 2^51 runs.
    const auto saltelli = errors_of(
        replace(good, "samples = 100\n", "samples = 2251799813685248\ndesign = \"saltelli\"\n"),
        {"output.store=\"summary\"", "design.base=\"mc\""});
    CHECK(mentions(saltelli, "base points make 5 runs each"));
}

TEST_CASE("policy errors are reported together with errors elsewhere in the file") {
    // A misspelt [experiment] key and a bad lever value: both, in one pass.
    const std::string text = "[experiment]\nname = \"p\"\nmodel = \"compute_race\"\n"
                             "samples = 10\nsmaple = 3\ninclude = [\"" CHIPRACE_SOURCE_DIR
                             "/experiments/priors/default.toml\"]\n"
                             "[policies.a]\nchina_legal_cap = 0.15\ntier2_country_cap = 0.0166\n"
                             "tier2_exempt_capacity = 0.5\nlpp_threshold = 1700\n"
                             "enforcement = 1.0\nleakage_multiplier = 1.0\ncloud_kyc = 7\n"
                             "stringency = 0.8\nchina_fee = 0\n";
    const auto ds = errors_of(text);
    CHECK(mentions(ds, "unknown key 'smaple' in [experiment]"));
    CHECK(mentions(ds, "policies.a.cloud_kyc must be a share in [0, 1]"));
}
