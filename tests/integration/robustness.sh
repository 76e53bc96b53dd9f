# Robustness metrics ([robustness], docs/robustness.md): (a) regret, satisficing, dominance and
# the best-policy shares equal a NumPy computation on the raw rows (counts exactly, regret mean
# to 1e-12, min and max exactly, quantiles within the sketch's bound), the rankings follow;
# (b) the files of 1x1, 2x2 and 3x1 rank x thread cuts are identical; (c) a run stopped by
# SIGTERM and resumed on another rank count ends with the file of an uninterrupted run;
# (d) chiprace info prints the ranking table.
source "$(dirname "$0")/lib.sh"

# The flagship's own objectives (experiments/policy_comparison.toml) plus one with lower is
# better and two thresholds, on a scalar output.
cat >"$WORK/robust.toml" <<TOML
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]

[robustness]
objectives = [
  { output = "frontier_gap_years", year = 2030, better = "higher", thresholds = [1.0] },
  { output = "us_stack_share", year = 2035, better = "higher", thresholds = [0.95] },
  { output = "revenue", year = 2030, better = "higher" },
  { output = "cum_smuggled", better = "lower", thresholds = [50, 200], name = "smuggled" },
]
TOML

# (a) Raw rows against the file. Block size 256 leaves a partial last block.
chiprace_mpi 2 1 run "$WORK/robust.toml" --samples 3001 --set experiment.block_size=256 \
    --set output.store=raw -o "$WORK/raw.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "raw run"; }
"$PYTHON" - "$WORK/raw.h5" <<'PY'
import json, sys
import h5py, numpy as np

f = h5py.File(sys.argv[1], "r")
N = int(f.attrs["n_samples_run"])
z = 1.959963984540054
years = list(f["time"][()])
levels = f["quantile_level"][()]
eps = json.loads(f["config_resolved"][()])["output"]["quantile_relative_error"]
objectives = json.loads(f["config_resolved"][()])["robustness"]["objectives"]
assert [o["name"] for o in objectives] == ["frontier_gap_years_2030", "us_stack_share_2035",
                                           "revenue_2030", "smuggled"], objectives
R = f["robustness"]
policies = [p.decode() if isinstance(p, bytes) else p for p in R["policy"][()]]
assert sorted(policies) == sorted(f["policies"]) and len(policies) == 6, policies
assert R["policy"].attrs["CLASS"] == b"DIMENSION_SCALE"
P = len(policies)

def wilson(k):
    ph = k / N
    centre = (ph + z * z / (2 * N)) / (1 + z * z / N)
    half = z / (1 + z * z / N) * np.sqrt(ph * (1 - ph) / N + z * z / (4 * N * N))
    return (np.where(k == 0, 0.0, np.maximum(0.0, centre - half)),
            np.where(k == N, 1.0, np.minimum(1.0, centre + half)))

def competition_rank(v):
    v = np.asarray(v)
    return np.array([1 + sum((not np.isnan(w)) if np.isnan(x) else (w < x) for w in v) for x in v])

checked = 0
for o in objectives:
    g = R[o["name"]]
    col = lambda p: f[f"policies/{p}/outputs/{o['output']}"][()]
    x = np.stack([col(p) if "year" not in o else col(p)[:, years.index(o["year"])]
                  for p in policies])                                  # (P, N)
    higher = o["better"] == "higher"
    text = lambda v: v.decode() if isinstance(v, bytes) else v
    assert text(g.attrs["better"]) == o["better"] and text(g.attrs["output"]) == o["output"]
    assert g.attrs["n_samples"] == N
    nan_row = np.isnan(x).any(axis=0)
    best = np.where(nan_row, np.nan, x.max(axis=0) if higher else x.min(axis=0))
    regret = np.where(x == best, 0.0, best - x if higher else x - best)  # NaN rows stay NaN
    finite = np.isfinite(regret)
    assert np.array_equal(g["regret_n_finite"][()], finite.sum(axis=1))
    assert np.array_equal(g["regret_n_non_finite"][()], (~finite).sum(axis=1))
    for p in range(P):
        r = regret[p][finite[p]]
        assert abs(g["regret_mean"][p] - r.mean()) <= 1e-12 * max(1.0, abs(r.mean())), \
            (o["name"], policies[p], g["regret_mean"][p], r.mean())
        assert abs(g["regret_std"][p] - r.std(ddof=1)) <= 1e-10 * max(1.0, r.std(ddof=1))
        assert g["regret_max"][p] == r.max() and g["regret_min"][p] == r.min() >= 0.0
        # Quantiles: within the sketch's relative bound of an order statistic of the rank.
        s = np.sort(r)
        for j, q in enumerate(levels):
            got = g["regret_quantiles"][p, j]
            lo = s[max(0, int(np.floor(q * (len(s) - 1))) - 1)]
            hi = s[min(len(s) - 1, int(np.ceil(q * (len(s) - 1))) + 1)]
            assert lo * (1 - eps) - 1e-300 <= got <= hi * (1 + eps) + 1e-300, \
                (o["name"], policies[p], q, got, lo, hi)
    mean, mx = g["regret_mean"][()], g["regret_max"][()]
    assert np.array_equal(g["mean_regret_rank"][()], competition_rank(mean))
    assert np.array_equal(g["minimax_regret_rank"][()], competition_rank(mx))
    # Satisficing.
    th = o["thresholds"]
    if th:
        assert list(g["threshold"][()]) == th
        want = np.array([[(x[p] >= t).sum() if higher else (x[p] <= t).sum() for p in range(P)]
                         for t in th])
        assert np.array_equal(g["satisficing_count"][()], want), (o["name"], want)
        assert np.array_equal(g["satisficing_share"][()], want / N)
        lo, hi = wilson(want)
        assert np.allclose(g["satisficing_low"][()], lo, rtol=1e-12, atol=1e-15)
        assert np.allclose(g["satisficing_high"][()], hi, rtol=1e-12, atol=1e-15)
        assert 0 < want.sum() < want.size * N, "satisficing never or always met: a weak test"
    else:
        assert "satisficing_count" not in g
    # Dominance: strictly better, NaN for neither.
    with np.errstate(invalid="ignore"):
        wins = np.array([[((x[a] > x[b]) if higher else (x[a] < x[b])).sum() for b in range(P)]
                         for a in range(P)])
    assert np.array_equal(g["dominance_count"][()], wins), (o["name"], g["dominance_count"][()], wins)
    assert np.array_equal(g["dominance_share"][()], wins / N)
    lo, hi = wilson(wins)
    assert np.allclose(g["dominance_low"][()], lo, rtol=1e-12, atol=1e-15)
    assert np.allclose(g["dominance_high"][()], hi, rtol=1e-12, atol=1e-15)
    # Best: every tied best policy; no best in a NaN row.
    bestc = np.array([((x[p] == best) & ~nan_row).sum() for p in range(P)])
    assert np.array_equal(g["best_count"][()], bestc), (o["name"], g["best_count"][()], bestc)
    assert bestc.sum() >= (~nan_row).sum()
    checked += 1
# Worth something only if the objectives disagree about the policies.
wins = R["frontier_gap_years_2030/dominance_count"][()]
assert (wins > 0).sum() > P, wins
print(f"robustness: {checked} objectives x {P} policies equal NumPy on {N} raw rows")
PY
# (d) chiprace info shows the ranking per objective.
"$CHIPRACE" info "$WORK/raw.h5" >"$WORK/info"
grep -q "^robustness" "$WORK/info" || { cat "$WORK/info"; fail "info: no robustness section"; }
grep -qE "^  frontier_gap_years_2030 .*higher is better" "$WORK/info" \
    || { cat "$WORK/info"; fail "info: no objective line"; }
grep -qE "^    tight_enforcement +[0-9]" "$WORK/info" \
    || { cat "$WORK/info"; fail "info: no policy row"; }

# (b) Any cut: identical files.
for cut in "1 1" "2 2" "3 1"; do
    set -- $cut
    chiprace_mpi "$1" "$2" run "$WORK/robust.toml" --samples 3001 \
        --set experiment.block_size=256 --set output.store=summary -o "$WORK/cut-$1x$2.h5" \
        2>"$WORK/log" || { cat "$WORK/log"; fail "run $cut"; }
done
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/cut-1x1.h5" "$WORK/cut-2x2.h5"
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/cut-1x1.h5" "$WORK/cut-3x1.h5"
"$PYTHON" - "$WORK/cut-1x1.h5" "$WORK/raw.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for name in a["robustness"]:
    if not isinstance(a["robustness"][name], h5py.Group):  # the scales policy, versus
        continue
    for ds in a["robustness"][name]:
        assert np.array_equal(a["robustness"][name][ds][()], b["robustness"][name][ds][()],
                              equal_nan=True), (name, ds)
PY

# A run killed after /robustness was written (phase "sensitivity") is resumed: the finishing
# phases start over, /robustness is rolled back and written again, and the file is the same.
if CHIPRACE_FAULT=sensitivity:kill:0 chiprace_mpi 1 1 run "$WORK/robust.toml" --samples 3001 \
    --set experiment.block_size=256 --set output.store=summary -o "$WORK/killed.h5" \
    2>"$WORK/log"; then
    fail "a run killed in its sensitivity phase succeeded (is CHIPRACE_FAULT_INJECTION off?)"
fi
"$PYTHON" -c "import h5py,sys; assert 'robustness' in h5py.File(sys.argv[1], 'r')" \
    "$WORK/killed.h5.partial" || fail "the killed run left no /robustness to roll back"
chiprace_mpi 2 1 run "$WORK/robust.toml" --samples 3001 --set experiment.block_size=256 \
    --set output.store=summary -o "$WORK/killed.h5" --resume 2>"$WORK/log" \
    || { cat "$WORK/log"; fail "resume after the kill"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/cut-1x1.h5" "$WORK/killed.h5"
"$PYTHON" - "$WORK/killed.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
# No dangling back-reference of the rolled-back regret quantiles on /quantile_level.
refs = f["quantile_level"].attrs["REFERENCE_LIST"]
paths = [f[r[0]].name for r in refs]
assert sum(p.startswith("/robustness/") for p in paths) == 4, paths
PY

# (c) SIGTERM, then --resume on another rank count: the file of an uninterrupted run. Under the
# sanitizers (CHIPRACE_SANITIZED, set by ctest --preset dev) a fifth of the samples.
samples=40000
[ "${CHIPRACE_SANITIZED:-0}" = 1 ] && samples=8000
blocks=$(((samples + 1023) / 1024))
SIG=(--samples "$samples" --set output.store=summary --round-memory 0.5)
chiprace_mpi 1 1 run "$WORK/robust.toml" "${SIG[@]}" -o "$WORK/ref.h5" 2>/dev/null \
    || fail "reference run"
OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS \
    "$CHIPRACE" run "$WORK/robust.toml" "${SIG[@]}" --checkpoint-every 0.05 \
    -o "$WORK/resumed.h5" 2>"$WORK/log" &
RUN_PID=$!
for _ in $(seq 1 1000); do
    [ -e "$WORK/resumed.h5.checkpoint" ] && break
    kill -0 "$RUN_PID" 2>/dev/null || { cat "$WORK/log"; fail "run ended before a checkpoint"; }
    sleep 0.01
done
[ -e "$WORK/resumed.h5.checkpoint" ] || fail "no checkpoint after 10 s"
pids=$(pgrep -P "$RUN_PID" || true)
[ -n "$pids" ] || fail "no rank processes found"
kill -STOP $pids
kill -TERM $pids
kill -CONT $pids
set +e
wait "$RUN_PID"
code=$?
set -e
[ "$code" = 3 ] || { cat "$WORK/log"; fail "SIGTERM gave exit code $code, not 3"; }
done_blocks=$("$PYTHON" -c "import h5py,sys; d=h5py.File(sys.argv[1])['done_blocks'][:]; print(int((d[:,1]-d[:,0]).sum()))" "$WORK/resumed.h5.checkpoint")
echo "interrupted with $done_blocks of $blocks blocks done"
[ "$done_blocks" -gt 0 ] && [ "$done_blocks" -lt "$blocks" ] || fail "the ledger holds $done_blocks blocks"
chiprace_mpi 3 1 run "$WORK/robust.toml" "${SIG[@]}" -o "$WORK/resumed.h5" --resume \
    2>"$WORK/log" || { cat "$WORK/log"; fail "resume"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ref.h5" "$WORK/resumed.h5"
"$PYTHON" - "$WORK/resumed.h5" "$samples" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f["robustness/smuggled"].attrs["n_samples"] == int(sys.argv[2])
assert f["robustness/smuggled/dominance_count"][()].sum() > 0
PY
echo "robustness: equal to NumPy on the raw rows; identical for 1x1, 2x2, 3x1 and after SIGTERM + --resume"
