# Policy levers as sweep axes, several reference policies, [output] keep (issue 16, part 3):
# (a) a 2x3 sweep gives six policies, named and ordered as documented, each recording its
#     levers in /policy_sweeps and on its group; (b) a cell's summaries and contrasts are those,
#     bit for bit, of the same policy written by hand in another run; (c) 1x1 and 2x2 rank x
#     thread cuts give identical files; (d) two references give every contrast against each, and
#     events on contrasts count the raw rows' paired differences against either; (e) keep stores
#     the inputs and only the kept outputs, every other dataset identical to a full raw run, and
#     the size check counts only the kept rows; (f) a raw run with a sweep and keep stopped by
#     SIGTERM and resumed on another rank count ends with the file of an uninterrupted run.
source "$(dirname "$0")/lib.sh"

# Two policies of the flagship, a 2x3 sweep based on anthropic (axes written in the order
# tier2_country_cap, enforcement: toml++ would list them the other way), an event on contrasts.
cat >"$WORK/sweep.toml" <<TOML
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]
name = "sweep_test"
policies = ["diffusion_rule", "anthropic"]
reference = ["diffusion_rule", "anthropic"]

[policy_sweeps.capenf]
based_on = "anthropic"
description = "test sweep"
grid = { tier2_country_cap = [0.5, 2], enforcement = [0.5, 1, 3] }

[output]
store = "summary"
quantile_relative_error = 0.01
events = [{ output = "compute_ratio", above = 0, on = "contrasts" }]
TOML
# The same run with one cell written by hand instead of the sweep.
cat >"$WORK/hand.toml" <<TOML
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]
name = "sweep_test"
policies = ["diffusion_rule", "anthropic", "by_hand"]
reference = ["diffusion_rule", "anthropic"]

[policies.by_hand]
based_on = "anthropic"
tier2_country_cap = 2
enforcement = 1

[output]
store = "summary"
quantile_relative_error = 0.01
events = [{ output = "compute_ratio", above = 0, on = "contrasts" }]
TOML
run() { # run RANKS THREADS FILE OUT ARGS...
    local ranks=$1 threads=$2 file=$3 out=$4
    shift 4
    chiprace_mpi "$ranks" "$threads" run "$file" --samples 3000 --set experiment.block_size=256 \
        -q -o "$out" "$@" 2>"$WORK/log" || { cat "$WORK/log"; fail "run $file -> $out"; }
}
run 1 1 "$WORK/sweep.toml" "$WORK/sweep-1x1.h5"
run 2 2 "$WORK/sweep.toml" "$WORK/sweep-2x2.h5"
run 1 1 "$WORK/hand.toml" "$WORK/hand.h5"

# (c) the rank x thread cut changes nothing.
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/sweep-1x1.h5" \
    "$WORK/sweep-2x2.h5" || fail "1x1 and 2x2 differ"

# (a), (b), (d) on summaries.
PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" - "$WORK/sweep-1x1.h5" "$WORK/hand.h5" <<'PY'
import json, sys
import h5py, numpy as np
from chiprace_results import open_result

f, hand = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
cells = [f"capenf.tier2_country_cap={c}.enforcement={e}"
         for c in ("0.5", "2") for e in ("0.5", "1", "3")]
# (a) six cells after the two policies, in cell order (first axis slowest).
levers = json.loads(f["config_resolved"][()])["model"]["policy_levers_by_year"]
assert sorted(levers) == sorted(["diffusion_rule", "anthropic"] + cells), sorted(levers)
assert sorted(f["policies"]) == sorted(["diffusion_rule", "anthropic"] + cells)
s = f["policy_sweeps/capenf"]
assert [x.decode() for x in s["cell"][()]] == cells, s["cell"][()]
assert list(s.attrs["axes"]) in (["tier2_country_cap", "enforcement"],
                                 [b"tier2_country_cap", b"enforcement"]), s.attrs["axes"]
assert s.attrs["based_on"].decode() == "anthropic" and s.attrs["n_cells"] == 6
assert s.attrs["kind"].decode() == "grid" and "seed" not in s.attrs
assert s["tier2_country_cap"][()].tolist() == [0.5, 2.0]
assert s["enforcement"][()].tolist() == [0.5, 1.0, 3.0]
expected = [[c, e] for c in (0.5, 2.0) for e in (0.5, 1.0, 3.0)]
assert s["coordinates"][()].tolist() == expected, s["coordinates"][()]
anthropic = levers["anthropic"]
for name, (cap, enf) in zip(cells, expected):
    g = f[f"policies/{name}"]
    assert g.attrs["sweep"].decode() == "capenf"
    assert g.attrs["sweep_tier2_country_cap"] == cap and g.attrs["sweep_enforcement"] == enf
    lv = levers[name]
    assert lv["tier2_country_cap"] == [cap] * 11 and lv["enforcement"] == [enf] * 11, name
    for lever, values in anthropic.items():  # the rest from the base, year by year
        if lever not in ("tier2_country_cap", "enforcement"):
            assert lv[lever] == values, (name, lever)
for name in ("anthropic", "diffusion_rule"):
    assert not any(k.startswith("sweep") for k in f[f"policies/{name}"].attrs), name
with open_result(sys.argv[1]) as r:
    assert r.policy_sweeps == ["capenf"]
    sw = r.policy_sweep("capenf")
    assert [a for a, _ in sw["axes"]] == ["tier2_country_cap", "enforcement"]
    assert sw["cells"][4] == (cells[4], {"tier2_country_cap": 2.0, "enforcement": 1.0})
    assert r.sweep_coordinates(cells[5]) == {"tier2_country_cap": 2.0, "enforcement": 3.0}
    assert r.sweep_coordinates("anthropic") == {}
    assert r.references == ["diffusion_rule", "anthropic"] and r.reference == "diffusion_rule"
    r.contrast(cells[0])  # against the first reference
    r.contrast(cells[0], "anthropic")

# (d) every policy against each reference other than itself: 7 + 7 contrasts.
want = sorted([f"{p}_vs_diffusion_rule" for p in ["anthropic"] + cells]
              + [f"{p}_vs_anthropic" for p in ["diffusion_rule"] + cells])
assert sorted(f["contrasts"]) == want, sorted(f["contrasts"])
for c in want:
    assert "events" in f[f"contrasts/{c}/summary/compute_ratio"], c

# (b) the cell (2, 1) is the hand-written policy, bit for bit, and so are its contrasts.
def same(a, b, where):
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            other = b[name]
            assert obj.dtype == other.dtype and obj.shape == other.shape, (where, name)
            x, y = obj[()], other[()]
            if obj.dtype.kind == "O":  # variable-length strings: compare the values
                assert list(x) == list(y), (where, name)
            else:
                assert x.tobytes() == y.tobytes(), (where, name)
    a.visititems(visit)
cell = "capenf.tier2_country_cap=2.enforcement=1"
same(f[f"policies/{cell}/summary"], hand["policies/by_hand/summary"], cell)
same(f[f"contrasts/{cell}_vs_diffusion_rule"], hand["contrasts/by_hand_vs_diffusion_rule"], cell)
same(f[f"contrasts/{cell}_vs_anthropic"], hand["contrasts/by_hand_vs_anthropic"], cell)
same(f["policies/anthropic"], hand["policies/anthropic"], "anthropic")
same(f["contrasts/anthropic_vs_diffusion_rule"], hand["contrasts/anthropic_vs_diffusion_rule"],
     "contrast")
# A different cell is a different policy (the comparison can fail).
a = f["policies/capenf.tier2_country_cap=0.5.enforcement=0.5/summary/cum_smuggled/mean"][()]
b = hand["policies/by_hand/summary/cum_smuggled/mean"][()]
assert a != b, (a, b)
print("sweep: 6 cells, names, levers, /policy_sweeps, 14 contrasts, a cell = its hand policy")
PY
[ $? -eq 0 ] || fail "sweep file checks"

# (d) and (e) on raw rows: the full run, and the run that keeps one output.
run 2 1 "$WORK/sweep.toml" "$WORK/raw-full.h5" --set output.store=raw
run 2 1 "$WORK/sweep.toml" "$WORK/raw-keep.h5" --set output.store=raw \
    --set 'output.keep=["frontier_gap_years"]'
PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" - "$WORK/raw-full.h5" "$WORK/raw-keep.h5" <<'PY'
import json, sys
import h5py, numpy as np
from chiprace_results import open_result, ResultFileError

full, keep = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
# (d) the events on contrasts count the paired differences against each reference.
rows = lambda p: full[f"policies/{p}/outputs/compute_ratio"][()]
for contrast in full["contrasts"]:
    a, b = contrast.split("_vs_")
    diff = rows(a) - rows(b)
    g = full[f"contrasts/{contrast}/summary/compute_ratio/events"]
    assert [x.decode() for x in g["event"][()]] == ["above_0"]
    assert np.array_equal(g["count"][()][:, 0], (diff > 0).sum(axis=0)), contrast

# (e) the kept file: every input, only the kept output, and otherwise the full file's bytes.
kept_paths, full_paths = {}, {}
keep.visititems(lambda n, o: kept_paths.__setitem__(n, o) if isinstance(o, h5py.Dataset) else None)
full.visititems(lambda n, o: full_paths.__setitem__(n, o) if isinstance(o, h5py.Dataset) else None)
dropped = set(full_paths) - set(kept_paths)
assert not set(kept_paths) - set(full_paths), set(kept_paths) - set(full_paths)
assert dropped and all(p.split("/")[-2] == "outputs" and p.split("/")[-1] != "frontier_gap_years"
                       for p in dropped), sorted(dropped)[:5]
for p in full["policies"]:
    assert list(keep[f"policies/{p}/outputs"]) == ["frontier_gap_years"], p
assert sorted(keep["inputs"]) == sorted(full["inputs"])
for name, ds in kept_paths.items():
    if name in ("config", "config_resolved"):
        continue
    other = full_paths[name]
    assert ds.dtype == other.dtype and ds.shape == other.shape, name
    if ds.dtype.kind == "O":
        assert list(np.ravel(ds[()])) == list(np.ravel(other[()])), name
    else:
        assert ds[()].tobytes() == other[()].tobytes(), name
assert json.loads(keep["config_resolved"][()])["output"]["keep"] == ["frontier_gap_years"]
assert "keep" not in json.loads(full["config_resolved"][()])["output"]
with open_result(sys.argv[2]) as r:
    assert r.kept_outputs == ["frontier_gap_years"]
    p = r.policy("anthropic")
    assert r.raw(p, "frontier_gap_years", 2030).shape == (3000,)
    try:
        r.raw(p, "compute_ratio")
        raise AssertionError("raw() of an output that was not kept")
    except ResultFileError as e:
        assert "output.keep" in str(e), e
    r.summary(p, "compute_ratio")  # summaries of every output
print(f"raw: events on {len(full['contrasts'])} contrasts = raw counts; keep drops "
      f"{len(dropped)} datasets, the other {len(kept_paths)} identical")
PY
[ $? -eq 0 ] || fail "raw and keep checks"

# chiprace analyze works on the kept output and reports the missing one.
"$CHIPRACE" analyze "$WORK/raw-keep.h5" --output frontier_gap_years -q >"$WORK/log" 2>&1 ||
    { cat "$WORK/log"; fail "analyze on a file that keeps some outputs"; }
if "$CHIPRACE" analyze "$WORK/raw-keep.h5" --output compute_ratio -q >"$WORK/log" 2>&1; then
    fail "analyze of an output that was not kept succeeded"
fi
grep -q "no output 'compute_ratio'" "$WORK/log" || { cat "$WORK/log"; fail "analyze message"; }

# The size check counts only the kept rows (the estimate chiprace validate prints).
size_of() { # the "result file: about X" of chiprace validate, in bytes
    "$CHIPRACE" validate "$WORK/sweep.toml" --samples 100000 --ignore-size-check \
        --set output.store=raw "$@" |
        "$PYTHON" -c '
import re, sys
m = re.search(r"result file: about ([0-9.]+) (\w+)", sys.stdin.read())
units = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
print(int(float(m.group(1)) * units[m.group(2)]))'
}
all=$(size_of)
one=$(size_of --set 'output.keep=["frontier_gap_years"]')
# 8 policies x 388 columns x 8 bytes per sample in full; 8 x 11 x 8 kept; inputs 62 x 8.
"$PYTHON" -c "
full, kept = $all, $one
assert 0.9 < full / (1e5 * (62 + 8 * 388) * 8) < 1.2, full
assert 0.9 < kept / (1e5 * (62 + 8 * 11) * 8) < 1.3, kept
" || fail "size estimate with keep: $one bytes, without: $all bytes"
# A sampled sweep: a Latin hypercube of 4 cells over two ranges, recorded the same way.
cat >"$WORK/lhs.toml" <<TOML
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]
name = "lhs_test"
policies = ["anthropic"]
reference = "anthropic"

[policy_sweeps.lhs]
based_on = "anthropic"
sampled = 4
seed = 5
ranges = { enforcement = [0.5, 4.5], cloud_kyc = [0, 1] }

[output]
store = "summary"
quantile_relative_error = 0.05
TOML
run 1 1 "$WORK/lhs.toml" "$WORK/lhs.h5"
PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" - "$WORK/lhs.h5" <<'PY'
import json, sys
import h5py, numpy as np
from chiprace_results import open_result

f = h5py.File(sys.argv[1], "r")
s = f["policy_sweeps/lhs"]
assert s.attrs["kind"].decode() == "latin_hypercube" and s.attrs["seed"] == 5
cells = [x.decode() for x in s["cell"][()]]
assert cells == ["lhs.0", "lhs.1", "lhs.2", "lhs.3"], cells
assert sorted(f["policies"]) == ["anthropic"] + cells
c = s["coordinates"][()]
for k, (low, high) in enumerate([(0.5, 4.5), (0.0, 1.0)]):
    strata = np.floor((c[:, k] - low) / (high - low) * 4).astype(int)
    assert sorted(strata) == [0, 1, 2, 3], (k, c[:, k])  # one cell per stratum
levers = json.loads(f["config_resolved"][()])["model"]["policy_levers_by_year"]
for i, cell in enumerate(cells):
    assert levers[cell]["enforcement"] == [c[i, 0]] * 11 and levers[cell]["cloud_kyc"] == [c[i, 1]] * 11
    assert f[f"policies/{cell}"].attrs["sweep_enforcement"] == c[i, 0]
with open_result(sys.argv[1]) as r:
    sw = r.policy_sweep("lhs")
    assert sw["kind"] == "latin_hypercube" and sw["axes"][0][1].tolist() == [0.5, 4.5]
print("sampled sweep: 4 cells, one per stratum of each range, levers recorded")
PY

# (f) SIGTERM after the first ledger, --resume on 3 ranks: the uninterrupted run's file.
# Long enough to be under way when stopped; a sanitized build (CHIPRACE_SANITIZED, about ten
# times slower) runs a fifth, as checkpoint_resume.sh does.
scale=1
[ "${CHIPRACE_SANITIZED:-0}" = 1 ] && scale=5
RESUME=(--samples $((60000 / scale)) --set experiment.block_size=256 --set output.store=raw
        --set 'output.keep=["frontier_gap_years"]' --round-memory 0.5)
chiprace_mpi 1 1 run "$WORK/sweep.toml" "${RESUME[@]}" -q -o "$WORK/resume-ref.h5" 2>"$WORK/log" ||
    { cat "$WORK/log"; fail "uninterrupted run"; }
OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS \
    "$CHIPRACE" run "$WORK/sweep.toml" "${RESUME[@]}" --checkpoint-every 0.05 \
    -o "$WORK/resumed.h5" 2>"$WORK/log" &
run_pid=$!
for _ in $(seq 1 1000); do
    [ -e "$WORK/resumed.h5.checkpoint" ] && break
    kill -0 "$run_pid" 2>/dev/null || { cat "$WORK/log"; fail "run ended before a checkpoint"; }
    sleep 0.01
done
ranks=$(pgrep -P "$run_pid" || true)
[ -n "$ranks" ] || fail "no rank processes found"
# Frozen while the signal arrives, so that both ranks see it in the same round.
kill -STOP $ranks
kill -TERM $ranks
kill -CONT $ranks
set +e
wait "$run_pid"
code=$?
set -e
[ "$code" = 3 ] || { cat "$WORK/log"; fail "SIGTERM gave exit code $code, not 3"; }
chiprace_mpi 3 1 run "$WORK/sweep.toml" "${RESUME[@]}" -q -o "$WORK/resumed.h5" --resume \
    2>"$WORK/log" || { cat "$WORK/log"; fail "resume"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/resume-ref.h5" \
    "$WORK/resumed.h5" || fail "the resumed sweep with keep differs from the uninterrupted run"

echo "policy_sweep: sweep cells, references, keep, resume; estimate $all -> $one bytes"
