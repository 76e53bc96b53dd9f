#pragma once
// [correlations]: Spearman rank correlations between named parameters,
//   leakage_rate = { lpp_leakage_rate = 0.6, direct_leakage_rate = 0.3 }
// imposed by a Gaussian copula (random/gaussian_copula.hpp).

#include "chiprace/config/experiment.hpp"
#include "chiprace/core/diagnostic.hpp"

#include <toml++/toml.h>

namespace chiprace::config {

/// Reads [correlations] into ex.copula and ex.correlations; ex.parameters and ex.design must
/// be set. Reports unknown names, values outside (−1, 1), pairs given twice, designs that
/// assume independent inputs, and a matrix that is not positive definite (naming a pair).
void read_correlations(const toml::table& root, Experiment& ex, DiagnosticList& errors);

} // namespace chiprace::config
