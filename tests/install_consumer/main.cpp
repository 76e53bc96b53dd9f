// A program built against an installed chiprace (find_package(chiprace), chiprace::chiprace),
// as a site's own tool would be: tests/install_consumer/run.sh installs the build tree into a
// temporary prefix, builds this against it and runs it. It uses the public API only:
//
// 1. the experiment loader (toml++ and nlohmann_json through the public headers) reads
//    experiments/ishigami.toml and builds the Ishigami model;
// 2. the model, evaluated on a midpoint grid mapped through the experiment's ParameterSpace,
//    has the closed-form mean a/2 (the grid integrates every term exactly) and matches the
//    formula point by point;
// 3. CounterStream (Random123, header-only, through the public headers) drives a small Monte
//    Carlo estimate of the mean and variance, checked against the closed forms;
// 4. the installed generated header chiprace/version.hpp agrees with the package version CMake
//    found.
//
// Exit status 0 when every check holds; each failure is printed.

#include "chiprace/config/experiment_loader.hpp"
#include "chiprace/model/ishigami.hpp"
#include "chiprace/model/model.hpp"
#include "chiprace/random/counter_stream.hpp"
#include "chiprace/version.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) {
        ++failures;
    }
}

double ishigami(double a, double b, double x1, double x2, double x3) {
    const double s1 = std::sin(x1);
    const double s2 = std::sin(x2);
    return s1 + a * s2 * s2 + b * x3 * x3 * x3 * x3 * s1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s path/to/experiments/ishigami.toml\n", argv[0]);
        return 2;
    }
    try {
        // ---- 1. the loader ------------------------------------------------------------------
        const auto experiment = chiprace::config::load_experiment(argv[1]);
        check(experiment.name == "ishigami-demo", "experiment name is ishigami-demo");
        check(experiment.model_name == "ishigami", "model is ishigami");
        check(experiment.samples == 100000, "samples = 100000");
        check(experiment.seed == 42, "seed = 42");
        check(experiment.parameters.dimension() == 3, "three parameters");
        check(experiment.model != nullptr && experiment.model->outputs().size() == 1 &&
                  experiment.model->outputs()[0].name == "y",
              "the model has the one output y");
        check(experiment.resolved.contains("experiment"),
              "resolved config (nlohmann_json) has [experiment]");
        if (failures != 0 || experiment.model == nullptr) {
            return 1;
        }
        const auto& model = *experiment.model;
        constexpr double a = 7.0; // experiments/ishigami.toml [model]
        constexpr double b = 0.1;

        // ---- 2. the model on a midpoint grid ------------------------------------------------
        constexpr std::size_t m = 16;        // points per axis
        constexpr std::size_t n = m * m * m; // samples
        std::vector<double> unit(3 * n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t idx[3] = {i % m, (i / m) % m, i / (m * m)};
            for (std::size_t j = 0; j < 3; ++j) {
                unit[j * n + i] = (static_cast<double>(idx[j]) + 0.5) / static_cast<double>(m);
            }
        }
        std::vector<double> values(3 * n);
        experiment.parameters.to_values(unit, n, values);
        std::vector<double> y(model.column_count() * n);
        chiprace::model::OutputBlock out(y, n);
        model.evaluate(0, chiprace::model::InputBlock(values, n), out);

        double sum = 0.0;
        double worst = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            sum += y[i];
            const double expected = ishigami(a, b, values[i], values[n + i], values[2 * n + i]);
            worst = std::fmax(worst, std::fabs(y[i] - expected));
        }
        const double grid_mean = sum / static_cast<double>(n);
        const double exact_mean = chiprace::model::Ishigami::exact_mean(a, b);
        std::printf("      grid mean %.15f, exact %.15f; worst point difference %.3g\n", grid_mean,
                    exact_mean, worst);
        check(exact_mean == 3.5, "Ishigami::exact_mean(7, 0.1) = 3.5");
        check(std::fabs(grid_mean - exact_mean) < 1e-9, "midpoint-grid mean equals a/2");
        check(worst < 1e-12, "model values equal the formula at every grid point");

        // ---- 3. a Monte Carlo estimate driven by CounterStream -------------------------------
        constexpr std::size_t samples = 20000;
        std::vector<double> mc_unit(3 * samples);
        for (std::size_t i = 0; i < samples; ++i) {
            chiprace::random::CounterStream stream(experiment.seed, i,
                                                   chiprace::random::StreamPurpose::sample_inputs);
            for (std::size_t j = 0; j < 3; ++j) {
                mc_unit[j * samples + i] = stream.uniform_open01();
            }
        }
        std::vector<double> mc_values(3 * samples);
        experiment.parameters.to_values(mc_unit, samples, mc_values);
        std::vector<double> mc_y(samples);
        chiprace::model::OutputBlock mc_out(mc_y, samples);
        model.evaluate(0, chiprace::model::InputBlock(mc_values, samples), mc_out);
        double s = 0.0;
        double ss = 0.0;
        for (const double v : mc_y) {
            s += v;
            ss += v * v;
        }
        const double mc_mean = s / samples;
        const double mc_var = ss / samples - mc_mean * mc_mean;
        const double exact_var = chiprace::model::Ishigami::exact_variance(a, b);
        const double se = std::sqrt(exact_var / samples);
        std::printf("      Monte Carlo (n = %zu): mean %.4f (exact %.4f, se %.4f), variance %.3f "
                    "(exact %.3f)\n",
                    samples, mc_mean, exact_mean, se, mc_var, exact_var);
        check(std::fabs(mc_mean - exact_mean) < 4.0 * se, "Monte Carlo mean within 4 se of a/2");
        check(std::fabs(mc_var / exact_var - 1.0) < 0.05, "Monte Carlo variance within 5%");

        // ---- 4. the installed generated header -----------------------------------------------
        check(std::string(chiprace::build::version) == CHIPRACE_EXPECTED_VERSION,
              std::string("chiprace/version.hpp says ") + chiprace::build::version +
                  ", the package " CHIPRACE_EXPECTED_VERSION);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "install consumer: error: %s\n", e.what());
        return 1;
    }
    std::printf("%s\n",
                failures == 0 ? "install consumer: all checks passed" : "install consumer: FAILED");
    return failures == 0 ? 0 : 1;
}
