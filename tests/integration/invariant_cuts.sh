# docs/design.md, invariant 2: the datasets of a run do not depend on how it was cut across ranks
# and threads. (1 rank, 1 thread), (2 ranks, 2 threads) and (3 ranks, 1 thread) must give
# bitwise identical files, in raw and in summary mode, for a sample count that leaves a
# partial last block.
source "$(dirname "$0")/lib.sh"
for store in raw summary; do
    for cut in "1 1" "2 2" "3 1"; do
        set -- $cut
        chiprace_mpi "$1" "$2" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 20011 \
            --set experiment.block_size=500 --set output.store=$store \
            -o "$WORK/$store-$1x$2.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "run $cut"; }
        grep -q "on $1 rank(s) x $2 thread(s)" "$WORK/log" || { cat "$WORK/log"; fail "cut $cut not applied"; }
    done
    "$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/$store-1x1.h5" "$WORK/$store-2x2.h5"
    "$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/$store-1x1.h5" "$WORK/$store-3x1.h5"
done
# The comparison must be able to fail: a different seed differs.
chiprace_mpi 1 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 20011 \
    --set experiment.block_size=500 --seed 7 -o "$WORK/other-seed.h5" 2>/dev/null
if "$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/raw-1x1.h5" "$WORK/other-seed.h5" >/dev/null; then
    fail "files from different seeds compared equal"
fi
# Every sampling design: runs are a function of (seed, index) alone, so the cut does not matter.
for design in lhs sobol saltelli morris grid; do
    extra=()
    [ "$design" = grid ] && extra=(--set 'design.grid.x3=[-1.0, 0.0, 1.0]')
    for cut in "1 1" "2 2" "3 1"; do
        set -- $cut
        chiprace_mpi "$1" "$2" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 999 \
            --set experiment.design=$design --set experiment.block_size=128 "${extra[@]}" \
            -o "$WORK/$design-$1x$2.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "$design run $cut"; }
    done
    "$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/$design-1x1.h5" "$WORK/$design-2x2.h5"
    "$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/$design-1x1.h5" "$WORK/$design-3x1.h5"
done

# The same for the multi-policy compute_race model, raw rows of every policy and the contrasts.
for cut in "1 1" "2 2" "3 1"; do
    set -- $cut
    chiprace_mpi "$1" "$2" run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 3001 \
        --set experiment.block_size=256 --set output.store=raw -o "$WORK/race-$1x$2.h5" 2>"$WORK/log" \
        || { cat "$WORK/log"; fail "compute_race run $cut"; }
done
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/race-1x1.h5" "$WORK/race-2x2.h5"
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/race-1x1.h5" "$WORK/race-3x1.h5"
"$PYTHON" - "$WORK/race-1x1.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
policies = sorted(f["policies"])
assert policies == ["anthropic", "diffusion_rule", "nvidia", "pre_diffusion", "rescission_deals",
                    "tight_enforcement"], policies
assert f["policies/nvidia/outputs/compute_ratio"].shape == (3001, 11)
assert "tight_enforcement_vs_diffusion_rule" in f["contrasts"]
assert "diffusion_rule_vs_diffusion_rule" not in f["contrasts"]
# A contrast is the paired difference: its mean equals the difference of the means.
a = f["policies/anthropic/outputs/cn_stock"][()]
b = f["policies/diffusion_rule/outputs/cn_stock"][()]
m = f["contrasts/anthropic_vs_diffusion_rule/summary/cn_stock/mean"][()]
assert abs((a - b).mean(axis=0) - m).max() < 1e-9 * abs(m).max(), ((a - b).mean(axis=0), m)
print("compute_race: six policies and five contrasts as documented")
PY
echo "invariant holds for raw and summary runs at 1x1, 2x2, 3x1, and for compute_race"
