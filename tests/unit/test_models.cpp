#include "chiprace/model/failure_box.hpp"
#include "chiprace/model/ishigami.hpp"
#include "chiprace/model/linear.hpp"
#include "chiprace/model/sobol_g.hpp"

#include <cmath>
#include <doctest/doctest.h>
#include <numbers>
#include <string>
#include <vector>

using namespace chiprace::model;

TEST_CASE("Ishigami at hand-computed points") {
    // Inputs deliberately listed as x3, x1, x2 to check the model reads them by index.
    const Ishigami f(7.0, 0.1, 1, 2, 0);
    const double pi = std::numbers::pi;
    std::vector<double> in{/*x3*/ 0.0, 1.0,    2.0, /*x1*/ pi / 2, pi / 2, 0.0,
                           /*x2*/ 0.0, pi / 2, 1.0};
    std::vector<double> out(3);
    OutputBlock ob(out, 3);
    f.evaluate(0, InputBlock(in, 3), ob);
    CHECK(out[0] == doctest::Approx(1.0));
    CHECK(out[1] == doctest::Approx(1.0 + 7.0 + 0.1));
    CHECK(out[2] == doctest::Approx(7.0 * std::sin(1.0) * std::sin(1.0)));
    CHECK(f.column_count() == 1);
    CHECK(f.years().empty());
}

TEST_CASE("Ishigami closed-form moments") {
    CHECK(Ishigami::exact_mean(7, 0.1) == 3.5);
    // Var = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446 for a = 7, b = 0.1.
    CHECK(Ishigami::exact_variance(7, 0.1) == doctest::Approx(13.844587940719254));
}

TEST_CASE("Sobol G at hand-computed points") {
    const SobolG g({0.0, 1.0}, {0, 1});
    std::vector<double> in{0.5, 0.0, /*second input*/ 1.0, 0.25};
    std::vector<double> out(2);
    OutputBlock ob(out, 2);
    g.evaluate(0, InputBlock(in, 2), ob);
    CHECK(out[0] == doctest::Approx(0.0 * (2.0 + 1.0) / 2.0));
    CHECK(out[1] == doctest::Approx(2.0 * (1.0 + 1.0) / 2.0));
    const double a[] = {0.0};
    CHECK(SobolG::exact_variance(a) == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("failure_box: 1 inside the closed box, flips a share of the samples") {
    const FailureBox f({0.3, 0.2}, {0.7, 0.5}, {0, 1}, 0.0);
    // Columns x1 then x2: inside, on both corners of the box, just outside each side.
    std::vector<double> in{/*x1*/ 0.5, 0.3, 0.7, 0.29, 0.5,  0.71,
                           /*x2*/ 0.4, 0.2, 0.5, 0.4,  0.51, 0.4};
    std::vector<double> out(6);
    OutputBlock ob(out, 6);
    f.evaluate(0, InputBlock(in, 6), ob);
    CHECK(out == std::vector<double>{1, 1, 1, 0, 0, 0});

    // With flip = 0.1 about a tenth of the values change, the same ones on every run.
    const std::size_t n = 20000;
    std::vector<double> grid(2 * n), a(n), b(n), clean(n);
    for (std::size_t i = 0; i < n; ++i) {
        grid[i] = static_cast<double>(i % 200) / 199.0;
        grid[n + i] = static_cast<double>(i / 200) / 99.0;
    }
    const FailureBox noisy({0.3, 0.2}, {0.7, 0.5}, {0, 1}, 0.1);
    OutputBlock oa(a, n), ob2(b, n), oc(clean, n);
    noisy.evaluate(0, InputBlock(grid, n), oa);
    noisy.evaluate(0, InputBlock(grid, n), ob2);
    f.evaluate(0, InputBlock(grid, n), oc);
    CHECK(a == b);
    std::size_t flipped = 0;
    for (std::size_t i = 0; i < n; ++i)
        flipped += a[i] != clean[i];
    // Binomial(20000, 0.1): standard error 42; 5 standard errors.
    CHECK(flipped > 2000 - 212);
    CHECK(flipped < 2000 + 212);
}

TEST_CASE("linear: intercept + sum of coefficient times input, inputs read by index") {
    // Three inputs whose columns are stored as x3, x1, x2; values chosen so every sum is exact.
    const Linear f({2.0, -0.5, 4.0}, 1.25, {1, 2, 0});
    std::vector<double> in{/*x3*/ 0.0, 1.0, -0.25, /*x1*/ 0.0, 3.0, 0.5,
                           /*x2*/ 0.0, 2.0, 8.0};
    std::vector<double> out(3);
    OutputBlock ob(out, 3);
    f.evaluate(0, InputBlock(in, 3), ob);
    CHECK(out[0] == 1.25);
    CHECK(out[1] == 1.25 + 2.0 * 3.0 - 0.5 * 2.0 + 4.0 * 1.0);
    CHECK(out[2] == 1.25 + 2.0 * 0.5 - 0.5 * 8.0 + 4.0 * -0.25);
    CHECK(f.column_count() == 1);
    CHECK(f.years().empty());
    CHECK(f.outputs().size() == 1);
    CHECK(f.outputs()[0].name == "y");
}

TEST_CASE(
    "linear: rounds as intercept + c1 x1 + c2 x2 in that order (what an analysis recomputes)") {
    const Linear f({0.1, 0.7}, 0.3, {0, 1});
    std::vector<double> in{1.0 / 3.0, 2.0 / 7.0};
    std::vector<double> out(1);
    OutputBlock ob(out, 1);
    f.evaluate(0, InputBlock(in, 1), ob);
    const double expected = (0.3 + 0.1 * (1.0 / 3.0)) + 0.7 * (2.0 / 7.0);
    CHECK(out[0] == expected);
}

TEST_CASE("linear: its definition (intercept defaults to 0, one coefficient per input)") {
    const auto d = linear_definition();
    CHECK(d.name == "linear");
    CHECK(d.inputs == ModelDefinition::Inputs::positional);
    REQUIRE(d.settings.size() == 2);
    CHECK(d.settings[0].name == "coefficients");
    CHECK(d.settings[0].required);
    CHECK(d.settings[1].name == "intercept");
    CHECK_FALSE(d.settings[1].required);
    CHECK(d.settings[1].default_number == 0.0);

    SettingValues s;
    s.set("coefficients", std::vector<double>{1.0, 3.0});
    s.set("intercept", 0.0);
    const std::vector<std::string> two{"a", "b"}, one{"a"};
    CHECK(d.check(s, two).empty());
    const auto problems = d.check(s, one);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].at == ModelProblem::At::setting);
    CHECK(problems[0].name == "coefficients");
    CHECK(problems[0].message ==
          "model 'linear' has one input per entry of coefficients (2), but [parameters] lists 1");

    ModelArguments args;
    args.settings = s;
    args.parameter_index = {1, 0};
    const auto m = d.build(args);
    REQUIRE(m != nullptr);
    CHECK(m->name() == "linear");
    std::vector<double> in{/*column 0*/ 10.0, /*column 1*/ 2.0};
    std::vector<double> out(1);
    OutputBlock ob(out, 1);
    m->evaluate(0, InputBlock(in, 1), ob);
    CHECK(out[0] == 1.0 * 2.0 + 3.0 * 10.0);
}
