# Event probabilities in the summaries ([output] events, docs/file-format.md "Event
# probabilities"): (a) the counts equal those of the raw rows, for policies and for contrasts,
# and the shares and Wilson intervals follow from them; (b) the files of 1x1, 2x2 and 3x1
# rank x thread cuts are identical; (c) a run stopped by SIGTERM and resumed on another rank
# count ends with the file of an uninterrupted run.
source "$(dirname "$0")/lib.sh"

# The flagship with two policies (a contrast anthropic - diffusion_rule), per-year and scalar
# events on outputs and on contrasts, a NaN-prone output (frontier_gap_years) among them, after
# the events the model declares for it.
cat >"$WORK/events.toml" <<TOML
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]
policies = ["diffusion_rule", "anthropic"]

[output]
events = [
  { output = "frontier_gap_years", below = 0, name = "china_ahead" },
  { output = "frontier_gap_years", below = 2 },
  { output = "frontier_gap_years", at_most = 0.5 },
  { output = "compute_ratio", above = 0, on = "contrasts" },
  { output = "compute_ratio", at_least = 10, on = "both" },
  { output = "cum_smuggled", above = 0, on = "both" },
]
TOML

# (a) Raw rows against the counts. Block size 256 leaves a partial last block.
chiprace_mpi 2 1 run "$WORK/events.toml" --samples 3001 --set experiment.block_size=256 \
    --set output.store=raw -o "$WORK/raw.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "raw run"; }
"$PYTHON" - "$WORK/raw.h5" <<'PY'
import json, sys
import h5py, numpy as np

f = h5py.File(sys.argv[1], "r")
N = f.attrs["n_samples_run"]
z = 1.959963984540054
ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
resolved = json.loads(f["config_resolved"][()])["output"]["events"]
# The model's own events (compute_race declares the frontier gap's) come first.
MODEL = ["below_0", "below_0.25", "below_0.5", "below_1"]
assert [e["name"] for e in resolved] == MODEL + ["china_ahead", "below_2", "at_most_0.5",
                                                 "above_0", "at_least_10", "above_0"], resolved
assert [e["source"] for e in resolved[:4]] == ["model"] * 4, resolved
policy = lambda p, o: f[f"policies/{p}/outputs/{o}"][()]
groups = {"policies/anthropic": lambda o: policy("anthropic", o),
          "policies/diffusion_rule": lambda o: policy("diffusion_rule", o),
          "contrasts/anthropic_vs_diffusion_rule":
              lambda o: policy("anthropic", o) - policy("diffusion_rule", o)}
checked = nan_seen = 0
for group, values_of in groups.items():
    contrast = group.startswith("contrasts/")
    for output in ["frontier_gap_years", "compute_ratio", "cum_smuggled", "cn_stock"]:
        want = [e for e in resolved if e["output"] == output
                and e["on"] in (("contrasts", "both") if contrast else ("outputs", "both"))]
        path = f"{group}/summary/{output}/events"
        if not want:
            assert path not in f, path
            continue
        g = f[path]
        names = [x.decode() for x in g["event"][()]]
        assert names == [e["name"] for e in want], (path, names)
        assert g.attrs["n_samples"] == N
        assert g["event"].attrs["CLASS"] == b"DIMENSION_SCALE"
        x = values_of(output)                     # (N) or (N, T)
        nan_seen += int(np.isnan(x).sum())
        count, p = g["count"][()], g["probability"][()]
        low, high = g["probability_low"][()], g["probability_high"][()]
        assert count.shape == (x.shape[1:] + (len(want),)), (path, count.shape)
        for e, ev in enumerate(want):
            assert g["comparison"][e].decode() == ev["comparison"]
            assert g["threshold"][e] == ev["threshold"]
            with np.errstate(invalid="ignore"):
                exact = ops[ev["comparison"]](x, ev["threshold"]).sum(axis=0)  # NaN: False
            got = count[..., e]
            assert np.array_equal(got, exact), (path, ev["name"], got, exact)
            assert np.array_equal(p[..., e], exact / N), (path, ev["name"])
            ph = exact / N
            centre = (ph + z * z / (2 * N)) / (1 + z * z / N)
            half = z / (1 + z * z / N) * np.sqrt(ph * (1 - ph) / N + z * z / (4 * N * N))
            lo = np.where(exact == 0, 0.0, np.maximum(0.0, centre - half))
            hi = np.where(exact == N, 1.0, np.minimum(1.0, centre + half))
            assert np.allclose(low[..., e], lo, rtol=1e-12, atol=1e-15), (path, ev["name"])
            assert np.allclose(high[..., e], hi, rtol=1e-12, atol=1e-15), (path, ev["name"])
            assert (low[..., e] <= p[..., e]).all() and (p[..., e] <= high[..., e]).all()
            checked += 1
# The test is worth something only if the events are neither always nor never met.
gap = f["policies/anthropic/summary/frontier_gap_years/events/probability"][()]
assert 0 < gap[:, 3].max() and gap[:, 3].min() < 1, gap[:, 3]  # below_1
contrast = f["contrasts/anthropic_vs_diffusion_rule/summary/compute_ratio/events/probability"][()]
assert 0 < contrast[:, 0].max(), contrast[:, 0]
print(f"events: {checked} event datasets equal the raw rows ({N} samples, {nan_seen} NaN values)")
PY
# chiprace info shows them: a line per event, years in columns.
"$CHIPRACE" info "$WORK/raw.h5" >"$WORK/info"
grep -q "^event probabilities" "$WORK/info" || { cat "$WORK/info"; fail "info: no event section"; }
grep -qE "^ +2025 +2026 +2027 .* 2035 *$" "$WORK/info" \
    || { cat "$WORK/info"; fail "info: no years header"; }
grep -qE "^    china_ahead \(< 0\) +0\.[0-9]{3} +0\.[0-9]{3}( +[01]\.[0-9]{3}){9} *$" "$WORK/info" \
    || { cat "$WORK/info"; fail "info: no per-year line of china_ahead with 11 years"; }
grep -A1 -E "^  contrasts/anthropic_vs_diffusion_rule  cum_smuggled  \(share" "$WORK/info" \
    | grep -qE "^    above_0 \(> 0\) +[01]\.[0-9]{4} \[[01]\.[0-9]{4}, [01]\.[0-9]{4}\]$" \
    || { cat "$WORK/info"; fail "info: no line of a scalar contrast event"; }
# xarray (netCDF-4) sees the dimensions (time, event) and the event names as a coordinate.
"$PYTHON" - "$WORK/raw.h5" "$SOURCE_DIR/analysis" <<'PY'
import sys
import xarray as xr
path = sys.argv[1]
ev = xr.open_dataset(path, group="policies/anthropic/summary/frontier_gap_years/events",
                     engine="netcdf4")
assert ev["probability"].dims == ("time", "event"), ev["probability"].dims
assert list(ev["event"].values) == ["below_0", "below_0.25", "below_0.5", "below_1", "china_ahead",
                                    "below_2", "at_most_0.5"], ev["event"].values
assert ev["threshold"].dims == ("event",) and ev.attrs["n_samples"] == 3001
time = xr.open_dataset(path, engine="netcdf4")["time"].values
p = ev.assign_coords(time=time)["probability"].sel(time=2030, event="below_1")
assert 0 < float(p) < 1, float(p)
scalar = xr.open_dataset(path, group="contrasts/anthropic_vs_diffusion_rule/summary/cum_smuggled/events",
                         engine="netcdf4")
assert scalar["count"].dims == ("event",), scalar["count"].dims
print("xarray: events as (time, event); P(gap < 1 year in 2030) under anthropic =", float(p))
# The analysis reader gives the same numbers.
sys.path.insert(0, sys.argv[2])
from chiprace_results import open_result
with open_result(path) as r:
    e = r.events(r.policy("anthropic"), "frontier_gap_years")["below_1"]
    assert e.probability[list(r.years).index(2030)] == float(p), e.probability
    assert r.events(r.policy("anthropic"), "cn_stock") == {}
    c = r.events(r.contrast("anthropic", "diffusion_rule"), "cum_smuggled")["above_0"]
    assert c.probability.shape == () and c.low <= c.probability <= c.high and c.comparison == ">"
PY

# (b) Any cut: identical files (summary mode; the raw rows are covered by invariant_cuts).
for cut in "1 1" "2 2" "3 1"; do
    set -- $cut
    chiprace_mpi "$1" "$2" run "$WORK/events.toml" --samples 3001 --set experiment.block_size=256 \
        --set output.store=summary -o "$WORK/cut-$1x$2.h5" 2>"$WORK/log" \
        || { cat "$WORK/log"; fail "run $cut"; }
done
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/cut-1x1.h5" "$WORK/cut-2x2.h5"
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/cut-1x1.h5" "$WORK/cut-3x1.h5"
"$PYTHON" - "$WORK/cut-1x1.h5" "$WORK/raw.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
p = "policies/anthropic/summary/frontier_gap_years/events/count"
assert np.array_equal(a[p][()], b[p][()]), "summary and raw runs count differently"
PY

# (c) SIGTERM, then --resume on another rank count: the file of an uninterrupted run.
SIG=(--samples 60000 --set output.store=summary --round-memory 0.5)
chiprace_mpi 1 1 run "$WORK/events.toml" "${SIG[@]}" -o "$WORK/ref.h5" 2>/dev/null \
    || fail "reference run"
OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS \
    "$CHIPRACE" run "$WORK/events.toml" "${SIG[@]}" --checkpoint-every 0.05 \
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
echo "interrupted with $done_blocks of 59 blocks done"
[ "$done_blocks" -gt 0 ] && [ "$done_blocks" -lt 59 ] || fail "the ledger holds $done_blocks blocks"
chiprace_mpi 3 1 run "$WORK/events.toml" "${SIG[@]}" -o "$WORK/resumed.h5" --resume \
    2>"$WORK/log" || { cat "$WORK/log"; fail "resume"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ref.h5" "$WORK/resumed.h5"
"$PYTHON" - "$WORK/resumed.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
c = f["contrasts/anthropic_vs_diffusion_rule/summary/compute_ratio/events/count"][()]
assert c.sum() > 0
assert f["policies/anthropic/summary/frontier_gap_years/events"].attrs["n_samples"] == 60000
PY
echo "events: counts match the raw rows; identical for 1x1, 2x2, 3x1 and after SIGTERM + --resume"
