#!/usr/bin/env bash
# chiprace discover: speed on 10^6 rows x 41 inputs on one core, and memory per rank for a large
# file on 1 and 2 ranks (bench/README.md, "Scenario discovery"). The data are the synthetic
# failure_box model (experiments/failure_box.toml) widened to 41 uniform inputs, ten of which
# carry the failure box, so the file holds inputs and one output only.
#
#   bench/discover_speed.sh [CHIPRACE]      default build/release/chiprace
# Settings (environment): SPEED_ROWS (1000000), SPEED_INPUTS (41), MEMORY_ROWS (10000000),
# WORK (a temporary directory). Needs mpiexec and GNU /usr/bin/time.
set -euo pipefail
CHIPRACE=${1:-build/release/chiprace}
SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
SPEED_ROWS=${SPEED_ROWS:-1000000}
SPEED_INPUTS=${SPEED_INPUTS:-41}
MEMORY_ROWS=${MEMORY_ROWS:-10000000}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/chiprace-discover-bench.XXXXXX")}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$WORK"

# An experiment with D uniform inputs; the box is [0.3, 0.7] on the first ten, the whole range
# on the others.
experiment() {
    local d=$1
    {
        echo '[experiment]'
        echo 'name = "failure-box-bench"'
        echo 'model = "failure_box"'
        echo 'samples = 1000'
        echo 'seed = 7'
        echo '[model]'
        printf 'lower = ['; for ((i = 1; i <= d; i++)); do printf '%s%s' "$([ "$i" -le 10 ] && echo 0.3 || echo 0.0)" "$([ "$i" -lt "$d" ] && echo ', ')"; done; echo ']'
        printf 'upper = ['; for ((i = 1; i <= d; i++)); do printf '%s%s' "$([ "$i" -le 10 ] && echo 0.7 || echo 1.0)" "$([ "$i" -lt "$d" ] && echo ', ')"; done; echo ']'
        echo 'flip = 0.0'
        echo '[parameters]'
        for ((i = 1; i <= d; i++)); do echo "x$i = { dist = \"uniform\", low = 0.0, high = 1.0 }"; done
        echo '[output]'
        echo 'store = "raw"'
    } >"$WORK/fb$d.toml"
}

# --- speed: 10^6 rows x 41 inputs, one rank, one thread -------------------------------------
experiment "$SPEED_INPUTS"
"$CHIPRACE" run "$WORK/fb$SPEED_INPUTS.toml" --samples "$SPEED_ROWS" -o "$WORK/speed.h5" -q --force
# A box of mass 1e-4 is out of reach of 10^6 rows with the default mass_min; the timing is that
# of the default settings, as a user would run them (peeling down to mass 0.05).
OMP_NUM_THREADS=1 /usr/bin/time -f "%e s wall, %U s user, %M kB max RSS" \
    "$CHIPRACE" discover "$WORK/speed.h5" --case 'failure > 0.5' --cart-depth 0 -q --name speed \
    2>&1 | tail -n 2 || true
OMP_NUM_THREADS=1 "$CHIPRACE" discover "$WORK/speed.h5" --case 'failure > 0.5' --cart-depth 0 \
    --name speed2 2>&1 >/dev/null | grep "wrote"
echo "speed file: $WORK/speed.h5 ($SPEED_ROWS rows x $SPEED_INPUTS inputs)"

# --- memory: MEMORY_ROWS rows x 10 inputs on 1 and 2 ranks ------------------------------------
experiment 10
"$CHIPRACE" run "$WORK/fb10.toml" --samples "$MEMORY_ROWS" -o "$WORK/memory.h5" -q --force
for ranks in 1 2; do
    cp "$WORK/memory.h5" "$WORK/memory$ranks.h5"
    OMP_NUM_THREADS=1 mpiexec -n "$ranks" --oversubscribe --bind-to none -x OMP_NUM_THREADS \
        /usr/bin/time -f "rank max RSS %M kB, %e s wall" \
        "$CHIPRACE" discover "$WORK/memory$ranks.h5" --case 'failure > 0.5' --mass-min 5e-5 \
        --cart-depth 0 --name mem 2>&1 >/dev/null | grep -E "wrote|max RSS"
    rm -f "$WORK/memory$ranks.h5"
done
echo "memory file: $WORK/memory.h5 ($MEMORY_ROWS rows x 10 inputs)"
