#include "chiprace/model/failure_box.hpp"

#include <bit>
#include <cstdint>

namespace chiprace::model {

namespace {

/// SplitMix64's finaliser (Steele et al. 2014): spreads every input bit over the output.
std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

FailureBox::FailureBox(std::vector<double> lower, std::vector<double> upper,
                       std::vector<std::size_t> inputs, double flip)
    : lower_(std::move(lower)), upper_(std::move(upper)), inputs_(std::move(inputs)),
      flip_(flip), outputs_{
                       {"failure", "1",
                        "1 when every input is inside the configured box, else 0; flipped for a "
                        "share 'flip' of the samples",
                        false, true}} {}

double FailureBox::flip_draw(std::span<const double> x) {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (const double v : x)
        h = mix(h ^ std::bit_cast<std::uint64_t>(v));
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

void FailureBox::evaluate(std::size_t, const InputBlock& in, OutputBlock& out) const {
    const auto y = out.column(0);
    std::vector<double> row(inputs_.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        bool inside = true;
        for (std::size_t k = 0; k < inputs_.size(); ++k) {
            row[k] = in.column(inputs_[k])[i];
            inside = inside && lower_[k] <= row[k] && row[k] <= upper_[k];
        }
        if (flip_ > 0.0 && flip_draw(row) < flip_)
            inside = !inside;
        y[i] = inside ? 1.0 : 0.0;
    }
}

ModelDefinition failure_box_definition() {
    ModelDefinition d;
    d.name = "failure_box";
    d.description = "1 inside a box of the inputs, 0 outside, with deterministic noise: a known "
                    "answer for scenario discovery";
    const ValueRange any{};
    d.settings = {
        {"lower", SettingSpec::Kind::numbers, "one number per parameter", any, true},
        {"upper", SettingSpec::Kind::numbers, "one number per parameter", any, true},
        {"flip", SettingSpec::Kind::number, "share of samples whose failure flag is flipped",
         ValueRange{0.0, 0.5, false, true, false, "in [0, 0.5)"}, false, 0.0},
    };
    d.inputs = ModelDefinition::Inputs::positional;
    d.outputs = {{"failure", "1",
                  "1 when every input is inside the configured box, else 0; flipped for a share "
                  "'flip' of the samples",
                  false}};
    d.check = [](const SettingValues& s, std::span<const std::string> sampled) {
        std::vector<ModelProblem> problems;
        bool sizes_ok = true;
        for (const char* key : {"lower", "upper"})
            if (s.numbers(key).size() != sampled.size()) {
                problems.push_back(
                    {ModelProblem::At::setting, key,
                     "model 'failure_box' has one limit per parameter in " + std::string(key) +
                         " (" + std::to_string(s.numbers(key).size()) +
                         "), but [parameters] lists " + std::to_string(sampled.size())});
                sizes_ok = false;
            }
        for (std::size_t k = 0; sizes_ok && k < sampled.size(); ++k)
            if (!(s.numbers("lower")[k] <= s.numbers("upper")[k])) {
                problems.push_back(
                    {ModelProblem::At::model, "",
                     "[model] lower must not exceed upper (entry " + std::to_string(k) + ")"});
                break;
            }
        return problems;
    };
    d.build = [](const ModelArguments& m) -> std::shared_ptr<const Model> {
        return std::make_shared<FailureBox>(m.settings.numbers("lower"),
                                            m.settings.numbers("upper"), m.parameter_index,
                                            m.settings.number("flip"));
    };
    return d;
}

} // namespace chiprace::model
