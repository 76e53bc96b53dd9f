#!/usr/bin/env bash
# The README's first command: install what is missing, build (preset release), run the
# flagship experiment on 2 local MPI ranks, print its summary. Rerunning replaces the result.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
scripts/setup.sh release
experiment=${CHIPRACE_EXPERIMENT:-experiments/policy_comparison.toml}
name=$(build/release/chiprace validate "$experiment" | sed -n "s/.*valid experiment '\([^']*\)'.*/\1/p")
mkdir -p results
mpiexec -n 2 build/release/chiprace run "$experiment" -o "results/$name.h5" --force
build/release/chiprace info "results/$name.h5"
if [ -f analysis/make_figures.py ]; then
    /usr/bin/python3 analysis/make_figures.py "results/$name.h5"
fi
echo "demo: results/$name.h5"
