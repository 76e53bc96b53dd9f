# Issue 15: under version 2's default priors no output's 99th percentile, in any year and under
# any policy, exceeds a physical bound (wafers, power, DRAM, the world economy; the bounds and
# their sources are in physical_bounds.py and docs/model.md section 9.15). The flagship as it is,
# 4,000 futures, raw. Version 1 (experiments/model_v1.toml) must exceed some bound on the same
# futures: the bounds are not vacuous, and the half-lives and capacities of section 9 are what
# keeps version 2 within them.
source "$(dirname "$0")/lib.sh"

for experiment in policy_comparison model_v1; do
    "$CHIPRACE" run "$SOURCE_DIR/experiments/$experiment.toml" --samples 4000 \
        --set output.store=raw -o "$WORK/$experiment.h5" -q 2>"$WORK/$experiment.err" ||
        { cat "$WORK/$experiment.err" >&2; fail "$experiment did not run"; }
done
"$PYTHON" "$SOURCE_DIR/tests/integration/physical_bounds.py" "$WORK/policy_comparison.h5" ||
    fail "version 2's defaults give physically implausible 99th percentiles"
"$PYTHON" "$SOURCE_DIR/tests/integration/physical_bounds.py" "$WORK/model_v1.h5" \
    --expect-violation || fail "version 1 stays within every bound: the bounds check nothing"
echo "physical_bounds: OK"
