#pragma once
// The compute-race model (MODEL.md, version 1): a yearly stock-and-flow model of AI compute
// held by the US with its Tier-1 allies, Tier-2 countries and China, under export-control
// policy levers. Pure: parameters + levers → yearly outputs.

#include "chiprace/model/model.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chiprace::model {

/// MODEL.md section 2's levers, in the order of its table.
enum class Lever : std::size_t {
    china_legal_cap,
    tier2_country_cap,
    tier2_exempt_capacity,
    lpp_threshold,
    enforcement,
    leakage_multiplier,
    cloud_kyc,
    stringency,
    china_fee,
};
inline constexpr std::size_t lever_count = 9;
const std::array<std::string_view, lever_count>& lever_names();

/// One setting of the levers: each lever's value in each model year (index k = t − start).
struct Policy {
    std::string name;
    std::array<std::vector<double>, lever_count> by_year;
    [[nodiscard]] double at(Lever lever, std::size_t k) const {
        return by_year[static_cast<std::size_t>(lever)][k];
    }
};

/// MODEL.md section 9's parameters, in its order.
inline constexpr std::size_t compute_race_parameter_count = 41;
const std::array<std::string_view, compute_race_parameter_count>& compute_race_parameter_names();

class ComputeRace final : public Model {
public:
    /// parameter_index[j]: column, among the experiment's parameters, of parameter j of
    /// compute_race_parameter_names().
    ComputeRace(int start_year, int end_year, std::vector<Policy> policies,
                std::array<std::size_t, compute_race_parameter_count> parameter_index);

    [[nodiscard]] std::string name() const override { return "compute_race"; }
    [[nodiscard]] const std::vector<OutputSpec>& outputs() const override { return outputs_; }
    [[nodiscard]] std::span<const int> years() const override { return years_; }
    [[nodiscard]] std::size_t variant_count() const override { return policies_.size(); }
    [[nodiscard]] std::string variant_name(std::size_t v) const override {
        return policies_[v].name;
    }
    [[nodiscard]] const Policy& policy(std::size_t v) const { return policies_[v]; }
    void evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const override;

private:
    std::vector<int> years_;
    std::vector<Policy> policies_;
    std::array<std::size_t, compute_race_parameter_count> index_;
    std::vector<OutputSpec> outputs_;
};

} // namespace chiprace::model
