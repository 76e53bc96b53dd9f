#!/usr/bin/env bash
# Regenerate every figure of docs/figures.md: run the experiments they need on 2 MPI ranks
# (skipping those whose result file is current), then draw each figure as PNG, PDF and a CSV
# of the plotted numbers. Rerunning gives byte-identical files.
#
#   scripts/figures.sh [--samples N] [--results DIR] [--out DIR] [--ranks R] [--rerun]
#
#   --samples N    override experiment.samples of every experiment (quick looks and tests; N must
#                  be a multiple of 8 and of 16, the cells of experiments/cap_leakage_grid.toml
#                  and experiments/crux.toml; use a power of two for the Sobol' base of
#                  experiments/sensitivity.toml)
#   --results DIR  where the result files go (default results/)
#   --out DIR      where the figures go (default docs/figures/)
#   --ranks R      MPI ranks (default 2)
#   --rerun        run the experiments even when their results are current
#
# A result is current when it recorded the experiment's present text, the present text of
# every file it included, the same overrides, and was written by the present chiprace build
# (analysis/check_current.py says which of these failed). Environment: CHIPRACE (default
# build/release/chiprace), MPIEXEC (default mpiexec).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

samples="" results=results out=docs/figures ranks=2 rerun=0
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --samples) samples=${2:?--samples needs a number}; shift 2 ;;
        --results) results=${2:?--results needs a directory}; shift 2 ;;
        --out) out=${2:?--out needs a directory}; shift 2 ;;
        --ranks) ranks=${2:?--ranks needs a number}; shift 2 ;;
        --rerun) rerun=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "figures: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

chiprace=${CHIPRACE:-build/release/chiprace}
mpiexec=${MPIEXEC:-mpiexec}
# Debian's python3 with python3-h5py, -numpy and -matplotlib, not whatever python3 comes first
# on PATH (pyenv and conda environments lack them or carry other versions).
python=/usr/bin/python3

if [ ! -x "$chiprace" ]; then
    echo "figures: $chiprace does not exist. Build it first: scripts/demo.sh (installs what is" \
         "missing, builds and runs the flagship), or: cmake --preset release &&" \
         "cmake --build --preset release" >&2
    exit 1
fi
if ! "$python" -c 'import h5py, numpy, matplotlib' 2>/dev/null; then
    echo "figures: $python lacks h5py, numpy or matplotlib:" \
         "apt-get install python3-h5py python3-numpy python3-matplotlib" >&2
    exit 1
fi

# The experiments the figures read (analysis/figures.py maps each figure to its result file).
experiments=(policy_comparison policy_distributions sensitivity screening cap_leakage_grid crux
    scenario_discovery calibrated)
overrides=() recorded=()
if [ -n "$samples" ]; then
    overrides=(--samples "$samples")
    recorded=("experiment.samples=$samples")
fi

mkdir -p "$results" "$out"
for name in "${experiments[@]}"; do
    experiment=experiments/$name.toml
    result=$results/$name.h5
    if [ "$rerun" = 0 ] &&
        status=$(PYTHONPATH=analysis "$python" analysis/check_current.py "$experiment" "$result" \
            "$chiprace" ${recorded[@]+"${recorded[@]}"}); then
        echo "figures: $status, not rerun"
        continue
    fi
    [ "$rerun" = 1 ] || echo "figures: ${status:-$result}"
    echo "figures: running $experiment on $ranks rank(s)"
    "$mpiexec" -n "$ranks" "$chiprace" run "$experiment" -o "$result" --force --quiet \
        ${overrides[@]+"${overrides[@]}"}
done

# Scenario discovery for the flagship question "when does China get within a year under
# anthropic's proposal?" (docs/robustness.md): PRIM on the kept rows, written into the file
# (replacing an earlier discovery of that name; a second of work at 100,000 rows).
echo "figures: chiprace discover on $results/scenario_discovery.h5"
"$mpiexec" -n "$ranks" "$chiprace" discover "$results/scenario_discovery.h5" --policy anthropic \
    --case 'frontier_gap_years[2030] < 1' --name gap2030_anthropic --threshold 0.5 --overwrite \
    --quiet

echo "figures: drawing into $out/"
"$python" analysis/figures.py --results "$results" --out "$out"
echo "figures: done ($out/*.png, *.pdf, *.csv; described in docs/figures.md)"
