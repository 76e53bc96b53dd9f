#pragma once
// The compute-race model (docs/model.md): a yearly stock-and-flow model of AI compute held by
// the US with its Tier-1 allies, Tier-2 countries and China, under export-control policy
// levers. Pure: parameters + levers → yearly outputs. Version 2 adds mechanisms whose
// parameters and levers are optional: at their neutral values every version-1 output is
// computed by version 1's expressions, bit for bit.

#include "chiprace/model/model_definition.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chiprace::model {

/// The levers of docs/model.md section 3: version 1's nine, then version 2's.
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
    // Version 2 (optional; a policy that leaves one out gets its neutral value).
    trusted_share,
    trusted_cap,
    uveu_share,
    cn_import_accept,
    legal_capacity_mult,
    legal_price_mult,
    legal_inference_mult,
    china_legal_share,
    cn_stack_deterrence,
};
inline constexpr std::size_t lever_count = 18;
/// Levers every policy must set (version 1's); the others have a neutral value.
inline constexpr std::size_t required_lever_count = 9;
const std::array<std::string_view, lever_count>& lever_names();
/// The value a version-2 lever takes when a policy does not set it; NaN for a required lever.
double lever_neutral_value(Lever lever);

/// The parameters of docs/model.md section 4: version 1's 41, required, then version 2's,
/// optional: an experiment that does not sample one gets its neutral value.
inline constexpr std::size_t compute_race_parameter_count = 62;
inline constexpr std::size_t compute_race_required_parameter_count = 41;
const std::array<std::string_view, compute_race_parameter_count>& compute_race_parameter_names();
/// The neutral value of optional parameter j (j >= compute_race_required_parameter_count);
/// NaN for kw_per_h100e_2025, which has none (only the output us_power reads it).
double compute_race_neutral_value(std::size_t j);
/// The model's version, recorded in result files.
inline constexpr int compute_race_version = 2;
/// What the registry knows of compute_race: settings, parameters with their bounds, levers,
/// outputs, default priors (experiments/priors/default.toml) and how to build it.
ModelDefinition compute_race_definition();

class ComputeRace final : public Model {
public:
    /// parameter_index[j]: column, among the experiment's parameters, of parameter j of
    /// compute_race_parameter_names(); absent_parameter for an optional one not sampled.
    ComputeRace(int start_year, int end_year, std::vector<Policy> policies,
                std::array<std::size_t, compute_race_parameter_count> parameter_index);

    [[nodiscard]] std::string name() const override { return "compute_race"; }
    [[nodiscard]] int version() const override { return compute_race_version; }
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
