#!/usr/bin/env bash
# The README's second command: install what is missing, build (preset ci: warnings are
# errors), and run every test through ctest (unit, MPI at 1-3 ranks, integration, Slurm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh ci
ctest --preset ci -j "$(nproc)" "$@"
# CI (and anyone who sets CHIPRACE_SANITIZERS=1) runs the suite a second time built with
# AddressSanitizer + UndefinedBehaviorSanitizer (preset dev; about 15 minutes on 2 cores): every
# test but the Slurm ones, which test the batch scripts (the binary they launch is the one the
# integration tests exercise) and whose job timing does not survive a 10x slower Debug build, and
# the tests labelled heavy (hundreds of policies, concurrent runs), minutes even when optimised,
# and those labelled content (references, physical bounds, figures, README and doc examples),
# whose subject is numbers and documents the sanitizers do not change, and those labelled
# install (cmake --install, and projects built against the prefix: packaging, whose run-time
# part, loading a model plug-in, runs under the sanitizers in integration: model_plugin).
if [[ "${CHIPRACE_SANITIZERS:-0}" == 1 ]]; then
    echo "== the suite again under AddressSanitizer + UBSan (preset dev), Slurm tests excepted"
    CHIPRACE_SKIP_DEPS=1 scripts/setup.sh dev
    ctest --preset dev -j "$(nproc)" -LE 'slurm|heavy|content|install' "$@"
    # A full disk in every phase of a run, under the sanitizers: the fault matrix's ENOSPC
    # column (about 2.5 minutes; the whole matrix runs optimised in the first pass).
    echo "== a full disk in every phase under AddressSanitizer + UBSan (fault matrix, ENOSPC)"
    FAULT_MATRIX_FAULTS=enospc ctest --preset dev -R 'integration: fault_matrix' "$@"
fi
