#include "chiprace/model/ishigami.hpp"

#include <cmath>
#include <numbers>

namespace chiprace::model {

Ishigami::Ishigami(double a, double b, std::size_t x1, std::size_t x2, std::size_t x3)
    : a_(a), b_(b), x1_(x1), x2_(x2),
      x3_(x3), outputs_{
                   {"y", "1", "Ishigami function sin(x1) + a sin^2(x2) + b x3^4 sin(x1)", false}} {}

void Ishigami::evaluate(std::size_t, const InputBlock& in, OutputBlock& out) const {
    const auto x1 = in.column(x1_);
    const auto x2 = in.column(x2_);
    const auto x3 = in.column(x3_);
    const auto y = out.column(0);
    for (std::size_t i = 0; i < in.size(); ++i) {
        const double s1 = std::sin(x1[i]);
        const double s2 = std::sin(x2[i]);
        const double x3sq = x3[i] * x3[i];
        y[i] = s1 + a_ * s2 * s2 + b_ * x3sq * x3sq * s1;
    }
}

double Ishigami::exact_mean(double a, double) {
    return a / 2.0;
}

double Ishigami::exact_variance(double a, double b) {
    const double pi4 = std::pow(std::numbers::pi, 4);
    return a * a / 8.0 + b * pi4 / 5.0 + b * b * pi4 * pi4 / 18.0 + 0.5;
}

ModelDefinition ishigami_definition() {
    ModelDefinition d;
    d.name = "ishigami";
    d.description = "Ishigami & Homma (1990) test function of three inputs";
    d.settings = {
        {"a", SettingSpec::Kind::number, "coefficient of sin^2(x2)", {}, false, 7.0},
        {"b", SettingSpec::Kind::number, "coefficient of x3^4 sin(x1)", {}, false, 0.1},
    };
    for (const char* x : {"x1", "x2", "x3"})
        d.parameters.push_back({x, "1", "input, usually uniform on [-pi, pi]", ValueRange{}});
    d.parameter_noun = "input";
    d.outputs = {{"y", "1", "Ishigami function sin(x1) + a sin^2(x2) + b x3^4 sin(x1)", false}};
    d.build = [](const ModelArguments& m) -> std::shared_ptr<const Model> {
        return std::make_shared<Ishigami>(m.settings.number("a"), m.settings.number("b"),
                                          m.parameter_index[0], m.parameter_index[1],
                                          m.parameter_index[2]);
    };
    return d;
}

} // namespace chiprace::model
