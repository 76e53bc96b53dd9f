#!/usr/bin/env bash
# The README's second command: install what is missing, build (preset ci: warnings are
# errors), and run every test through ctest (unit, MPI at 1-3 ranks, integration).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh ci
ctest --preset ci -j "$(nproc)" "$@"
