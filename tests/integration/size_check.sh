# Nothing that validates may fail for a size reason after the compute (issue 14): a run whose
# worst-case memory per rank, or whose result file, cannot fit is refused by `validate` and
# before any compute by `run`, with exit 2, the estimate, the limit and the setting to change;
# --ignore-size-check makes the refusal a warning. The end_year = 2670 fuzz finding (sketches
# that grew without bound) is refused up front, or completes with coarse quantiles.
source "$(dirname "$0")/lib.sh"

# 1000 policies (and the 6 of the flagship) at the default quantile accuracy: 2011 groups (1006
# policies, 1005 contrasts with the reference) x 388 columns (compute_race version 2: 35 series x
# 11 years + 3 scalars) = 780268 sketches, and the regret of the flagship's 3 robustness
# objectives for each of the 1006 policies, 3018 more: 783286, up to 640 KiB each in the worst
# case (479 GiB): no node here holds that.
{
    echo '[experiment]'
    echo 'include = ["'"$SOURCE_DIR"'/experiments/policy_comparison.toml"]'
    for i in $(seq 0 999); do
        printf '[policies.p%04d]\nbased_on = "diffusion_rule"\nenforcement = %d.%03d\n' \
            "$i" $(((500 + i) / 1000)) $(((500 + i) % 1000))
    done
} >"$WORK/sweep.toml"

set +e
"$CHIPRACE" validate "$WORK/sweep.toml" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$WORK/out" "$WORK/err"; fail "validate of 1000 policies exited $rc, not 2"; }
grep -q "memory per rank: up to" "$WORK/out" || fail "validate printed no estimate"
grep -q "quantile sketches (1 set(s) of 783286 columns" "$WORK/out" ||
    { cat "$WORK/out"; fail "validate's estimate lacks the sketches' term"; }
grep -q "output.quantile_relative_error" "$WORK/err" || { cat "$WORK/err"; fail "no setting named"; }

start=$(date +%s)
set +e
chiprace_mpi 2 1 run "$WORK/sweep.toml" -o "$WORK/sweep.h5" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$WORK/err"; fail "run of 1000 policies exited $rc, not 2"; }
grep -q "error: the run needs up to .* of memory on rank 0 and .* on each other rank (2 rank(s)" "$WORK/err" ||
    { cat "$WORK/err"; fail "run's refusal lacks the estimate"; }
grep -q "for the 2 ranks on this node, but they may use .* together" "$WORK/err" ||
    fail "run's refusal lacks the node's limit"
grep -q "Most of it is quantile sketches" "$WORK/err" || fail "run's refusal lacks what dominates"
[ "$(grep -c "error: the run needs" "$WORK/err")" = 1 ] || fail "more than one rank printed"
ls "$WORK"/sweep.h5* >/dev/null 2>&1 && { ls "$WORK"; fail "the refused run left files"; }
[ $(($(date +%s) - start)) -lt 60 ] || fail "the refusal came late (after computing?)"

# --max-memory is the limit checked against; --ignore-size-check runs anyway, with a warning.
small="$SOURCE_DIR/experiments/ishigami.toml"
set +e
"$CHIPRACE" run "$small" --samples 1000 --max-memory 1 -q -o "$WORK/small.h5" 2>"$WORK/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "--max-memory 1 was not refused ($rc)"
grep -q "a rank may use 1 MiB (--max-memory)" "$WORK/err" || { cat "$WORK/err"; fail "limit"; }
[ ! -e "$WORK/small.h5" ] && [ ! -e "$WORK/small.h5.partial" ] || fail "refused run left a file"
"$CHIPRACE" run "$small" --samples 1000 --max-memory 1 --ignore-size-check -q \
    -o "$WORK/small.h5" 2>"$WORK/err" || { cat "$WORK/err"; fail "--ignore-size-check"; }
grep -q "warning: the run needs up to" "$WORK/err" || fail "no warning with --ignore-size-check"
[ -f "$WORK/small.h5" ] || fail "--ignore-size-check wrote no result"

# A result file larger than the free space: raw rows of 10^13 samples (hundreds of TB).
set +e
"$CHIPRACE" run "$small" --samples 10000000000000 -q -o "$WORK/huge.h5" 2>"$WORK/err"
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$WORK/err"; fail "an output larger than the disk was not refused ($rc)"; }
grep -q "error: the result file .*huge.h5 needs about .* free" "$WORK/err" ||
    { cat "$WORK/err"; fail "disk refusal message"; }
[ ! -e "$WORK/huge.h5.partial" ] || fail "the disk refusal left OUT.partial"

# The fuzz finding run-oom-end-year-2670: a 646-year horizon whose values overflow to inf and
# whose sketches spread over the whole double range. Refused up front when a rank may use
# 2 GiB (the fuzzer's limit); completes in bounded memory with coarse quantiles. Its sketches:
# 3 groups (2 policies, 1 contrast) x (35 series x 646 years + 3 scalars) = 67839 columns, and
# the flagship's 3 robustness objectives' regret for each of the 2 policies: 67845.
cp "$SOURCE_DIR/experiments/policy_comparison.toml" "$WORK/"
cp -r "$SOURCE_DIR/experiments/priors" "$WORK/"
printf '[experiment]\ninclude = ["policy_comparison.toml"]\nname = "pc-overrides"\n' \
    >"$WORK/long.toml"
long=(--set 'experiment.policies=["nvidia","anthropic"]' --set experiment.reference=nvidia
    --set model.end_year=2670 --set experiment.design=sobol --samples 64)
set +e
"$CHIPRACE" run "$WORK/long.toml" "${long[@]}" --max-memory 2048 -q -o "$WORK/long.h5" \
    2>"$WORK/err"
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$WORK/err"; fail "end_year 2670 was not refused ($rc)"; }
grep -q "quantile sketches (1 set(s) of 67845 columns" "$WORK/err" || { cat "$WORK/err"; fail "2670"; }
OMP_NUM_THREADS=2 /usr/bin/time -f "%M" -o "$WORK/rss" "$CHIPRACE" run "$WORK/long.toml" \
    "${long[@]}" --set output.quantile_relative_error=0.25 --set output.store=summary \
    --max-memory 2048 -q -o "$WORK/long.h5" 2>"$WORK/err" || { cat "$WORK/err"; fail "2670 coarse"; }
echo "end_year 2670 with coarse quantiles: max RSS $(cat "$WORK/rss") KiB"
[ "$(cat "$WORK/rss")" -lt 2097152 ] || fail "end_year 2670 used more than its 2 GiB"
"$PYTHON" - "$WORK/long.h5" <<'PY'
import sys
import h5py
import numpy as np

f = h5py.File(sys.argv[1], "r")
s = f["policies/nvidia/summary/us_stock"]
assert s["quantiles"].shape == (646, 5), s["quantiles"].shape
# Late years overflow: their values count as non-finite, never as quantiles.
assert s["n_non_finite"][-1] + s["n_finite"][-1] == 64
q = s["quantiles"][()]
assert np.all(np.isnan(q[s["n_finite"][()] == 0])), "quantiles of an all-non-finite year"
PY
echo "size_check: refusals up front, --max-memory, --ignore-size-check, disk, end_year 2670"
