// Checks of toy_race on cases worked out by hand, through its definition, the way chiprace
// builds and calls it: settings -> years, the experiment's parameter order -> columns, one
// policy per variant, evaluate() on a block. Exit status 0 when every check holds.

#include "chiprace/model/model_definition.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace toy_race {
chiprace::model::ModelDefinition definition(); // toy_race.cpp
}

namespace {

using chiprace::model::InputBlock;
using chiprace::model::ModelArguments;
using chiprace::model::OutputBlock;

int failures = 0;

void check(bool ok, const std::string& what) {
    if (!ok) {
        std::cerr << "FAILED: " << what << "\n";
        ++failures;
    }
}

void check_near(double got, double want, const std::string& what) {
    check(std::abs(got - want) <= 1e-12 * std::abs(want),
          what + ": got " + std::to_string(got) + ", want " + std::to_string(want));
}

} // namespace

int main() {
    const auto definition = toy_race::definition();
    check(definition.name == "toy_race", "the model's name");
    check(definition.outputs.size() == 2, "two outputs");

    ModelArguments args;
    args.settings.set("start_year", std::int64_t{2025});
    args.settings.set("end_year", std::int64_t{2027});
    check(definition.check(args.settings, {}).empty(), "2025-2027 passes the cross-check");
    args.years = definition.years(args.settings);
    check(args.years == std::vector<int>{2025, 2026, 2027}, "years 2025-2027");

    // The experiment lists its parameters in another order than the definition does:
    // smuggled_share, new_chips, growth. parameter_index maps the definition's to those columns.
    args.parameter_index = {1, 2, 0};
    args.policies = {{"none", {{0.0, 0.0, 0.0}}}, {"strict", {{0.0, 0.5, 1.0}}}};
    const auto model = definition.build(args);
    check(model->variant_count() == 2, "one variant per policy");
    check(model->variant_name(1) == "strict", "variants named after their policies");
    check(model->column_count() == 6, "two series of three years: six columns");

    // Two samples: 10 M H100e growing 2x, 10% smuggled; 1 M H100e growing 1.5x, half smuggled.
    constexpr std::size_t n = 2;
    const std::vector<double> inputs = {0.1, 0.5, 10.0, 1.0, 2.0, 1.5};
    std::vector<double> outputs(model->column_count() * n);
    const InputBlock in(inputs, n);
    OutputBlock out(outputs, n);
    const auto value = [&](std::size_t output, std::size_t k, std::size_t i) {
        return out.column(model->first_column(output) + k)[i];
    };

    model->evaluate(0, in, out); // no enforcement
    const double made[2][3] = {{10, 20, 40}, {1, 1.5, 2.25}};
    const double stock_free[2][3] = {{1, 3, 7}, {0.5, 1.25, 2.375}};
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < 3; ++k) {
            const std::string at =
                " of sample " + std::to_string(i) + " in year " + std::to_string(args.years[k]);
            check_near(value(0, k, i), made[i][k], "chips_made" + at);
            check_near(value(1, k, i), stock_free[i][k], "china_stock, no enforcement," + at);
        }

    model->evaluate(1, in, out); // enforcement 0, then half, then all of the smuggling stopped
    const double stock_strict[2][3] = {{1, 2, 2}, {0.5, 0.875, 0.875}};
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < 3; ++k)
            check_near(value(1, k, i), stock_strict[i][k],
                       "china_stock, strict, of sample " + std::to_string(i) + " in year " +
                           std::to_string(args.years[k]));

    // A sample's outputs do not depend on the block it is in (chiprace cuts runs differently on
    // different rank and thread counts, and promises identical bits).
    for (std::size_t i = 0; i < n; ++i) {
        const std::vector<double> alone_in = {inputs[i], inputs[n + i], inputs[2 * n + i]};
        std::vector<double> alone_out(model->column_count());
        OutputBlock alone(alone_out, 1);
        model->evaluate(1, InputBlock(alone_in, 1), alone);
        for (std::size_t c = 0; c < model->column_count(); ++c)
            check(alone_out[c] == out.column(c)[i], "sample " + std::to_string(i) +
                                                        " alone gives the same bits, column " +
                                                        std::to_string(c));
    }

    // The cross-check places a reversed span at end_year.
    args.settings.set("end_year", std::int64_t{2020});
    const auto problems = definition.check(args.settings, {});
    check(problems.size() == 1 && problems[0].name == "end_year",
          "end_year before start_year is reported at end_year");

    if (failures == 0)
        std::cout << "toy_race: every check passed\n";
    return failures == 0 ? 0 : 1;
}
