#pragma once
// From a validated experiment to the plan the parallel runner executes: the file layout and
// the provenance every result carries (docs/design.md, invariant 5).

#include "chiprace/config/experiment.hpp"
#include "chiprace/design/design.hpp"
#include "chiprace/parallel/runner.hpp"

#include <memory>
#include <string>

namespace chiprace::app {

/// The design experiment.design names, with its options.
std::unique_ptr<design::Design> make_design(const config::Experiment& ex);

io::ResultLayout make_layout(const config::Experiment& ex, std::uint64_t runs);
io::RootMetadata make_metadata(const config::Experiment& ex, const design::Design& design,
                               const std::string& command_line, int ranks, int threads);
/// The plan refers to ex and design, which must outlive it.
parallel::RunPlan make_run_plan(const config::Experiment& ex, const design::Design& design,
                                const std::string& output, const std::string& command_line,
                                int ranks, int threads);

} // namespace chiprace::app
