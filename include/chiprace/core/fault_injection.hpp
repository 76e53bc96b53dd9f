#pragma once
// Test-only fault injection (issue 14): the fault-matrix test (tests/integration/fault_matrix.sh)
// stops, kills or starves a run at a chosen phase to prove that every phase can be resumed.
//
// Builds configured with CHIPRACE_FAULT_INJECTION=ON (the ci and dev presets; never release)
// read CHIPRACE_FAULT="PHASE:ACTION[:RANK[:COUNT]]" once. When RANK (default 0) reaches PHASE
// for the COUNT-th time (default 1), it performs ACTION:
//   sigterm   raise SIGTERM (the run's handler asks it to stop at the next round)
//   sigterm2  raise SIGTERM twice (a second signal ends the process at once)
//   kill      raise SIGKILL (this rank dies; mpiexec ends the others)
//   pause     write OUT.fault-reached and wait until OUT.fault-continue exists, so that a test
//             can kill another rank or the launcher while this one is at PHASE
//   enospc    fill the output's file system (a file OUT.fault-filler) so the next write fails
//             with ENOSPC
// In other builds fault_point returns at once and the variable is ignored.

#include <string>

namespace chiprace {

/// The phases of a run, in order (docs/running.md, "Phases of a run").
inline constexpr const char* fault_phases[] = {
    "start",     "rounds",      "ledger", "ledger-rename", "summaries",
    "contrasts", "sensitivity", "flush",  "rename",        "cleanup"};

/// True when this build honours CHIPRACE_FAULT.
bool fault_injection_enabled();

/// Marks that `rank` reached `phase` of the run writing `output`.
void fault_point(const char* phase, int rank, const std::string& output);

} // namespace chiprace
