#pragma once
// [policies.<name>] tables: each a setting of the model's levers (for compute_race: docs/model.md
// section 3).
// A lever is a number, inf, or a year-step table {2025 = 0.08, 2026 = 1.0}: a value holds until
// the next key, and years before the first key take the first key's value.

#include "chiprace/core/diagnostic.hpp"
#include "chiprace/model/model_definition.hpp"

#include <optional>
#include <span>
#include <string>
#include <toml++/toml.h>
#include <vector>

namespace chiprace::config {

/// Reads the policies named in `order` (all defined policies, in the order they are written,
/// unless [experiment] policies selects some) for years start … end. `based_on = "other"`
/// starts a policy from another's levers. Reports unknown levers, missing levers, values out
/// of range and year keys outside the horizon.
std::vector<model::Policy> load_policies(const toml::table& policies,
                                         const std::vector<std::string>& order,
                                         std::span<const model::LeverSpec> levers, int start,
                                         int end, DiagnosticList& errors);

/// What a value of `lever` must be ("a share in [0, 1]") when `value` is not one; nothing when
/// it is.
std::optional<std::string> lever_value_problem(const model::LeverSpec& lever, double value);

} // namespace chiprace::config
