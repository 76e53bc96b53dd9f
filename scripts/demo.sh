#!/usr/bin/env bash
# The README's first command: install what is missing, build (preset release), run the
# flagship experiment on 2 local MPI ranks, print its summary, then draw the figures of
# docs/figures.md (scripts/figures.sh: it runs the other experiments they need, skipping those
# whose results are current). Rerunning replaces the flagship's result.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh release
experiment=${CHIPRACE_EXPERIMENT:-experiments/policy_comparison.toml}
name=$(build/release/chiprace validate "$experiment" | sed -n "s/.*valid experiment '\([^']*\)'.*/\1/p")
mkdir -p results
mpiexec -n 2 build/release/chiprace run "$experiment" -o "results/$name.h5" --force
build/release/chiprace info "results/$name.h5"
if [ -z "${CHIPRACE_EXPERIMENT:-}" ]; then
    scripts/figures.sh
    echo "demo: results/$name.h5, figures in docs/figures/ (docs/figures.md)"
else
    echo "demo: results/$name.h5"
fi
