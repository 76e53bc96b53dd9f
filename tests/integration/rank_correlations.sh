# chiprace analyze: rank correlations written into a raw result file, checked against an
# independent NumPy computation and against what the Ishigami function implies; refusals exit
# 2 with one line and leave the file as it was.
source "$(dirname "$0")/lib.sh"

# --- Ishigami, 20000 samples: x1 acts alone, x3 only through an even interaction ----------
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 20000 -o "$WORK/x.h5" -q
"$CHIPRACE" analyze "$WORK/x.h5" 2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "analyze failed"; }
[ ! -e "$WORK/x.h5.analyze.partial" ] || fail "the temporary copy was left behind"
"$CHIPRACE" info "$WORK/x.h5" | grep -q "^rank correlations .*spearman, srrc, prcc of 1 output" ||
    fail "info does not mention the rank correlations"
"$PYTHON" - "$WORK/x.h5" <<'PY'
import sys
import h5py
import numpy as np

f = h5py.File(sys.argv[1], "r")
names = [n.decode() for n in f["parameter"][()]]
assert names == ["x1", "x2", "x3"], names
g = f["rank_correlations/y"]
for c in ("spearman", "srrc", "prcc"):
    assert g[c].shape == (3,), (c, g[c].shape)
    assert g[c].dims[0][0].name == "/parameter"
assert g["n_used"][()] == 20000 and g["n_dropped"][()] == 0
assert "rank_correlation_year" not in f  # no per-year output, no year scale
s = g["spearman"][()]
print("ishigami spearman", s, "srrc", g["srrc"][()], "prcc", g["prcc"][()])
assert s[0] > 0.3, s
assert abs(s[2]) < 0.05, s

# Independent route: NumPy ranks (continuous values, no ties), the correlation matrix, its
# inverse for PRCC and a linear solve for SRRC.
x = np.column_stack([f["inputs"][n][()] for n in names] + [f["outputs/y"][()]])
ranks = x.argsort(axis=0).argsort(axis=0).astype(float) + 1
c = np.corrcoef(ranks, rowvar=False)
p = np.linalg.inv(c)
d = len(names)
expected = {
    "spearman": c[:d, d],
    "srrc": np.linalg.solve(c[:d, :d], c[:d, d]),
    "prcc": -p[:d, d] / np.sqrt(np.diag(p)[:d] * p[d, d]),
}
expected["r_squared"] = c[:d, d] @ expected["srrc"]
for k, v in expected.items():
    err = np.max(np.abs(g[k][()] - v))
    assert err < 1e-9, (k, g[k][()], v)
print("matches NumPy to 1e-9")
PY

# Under mpiexec only rank 0 works, and the result is the same.
cp "$WORK/x.h5" "$WORK/x_mpi.h5"
chiprace_mpi 2 1 analyze -q "$WORK/x_mpi.h5"
"$PYTHON" -c '
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r")["rank_correlations/y/prcc"][()] for p in sys.argv[1:])
assert np.array_equal(a, b), (a, b)' "$WORK/x.h5" "$WORK/x_mpi.h5"

# --- refusals: exit 2, one line, the file untouched ------------------------------------------
cp "$WORK/x.h5" "$WORK/before.h5"
# expect_refusal NAME EXPECTED_TEXT ARGS...
expect_refusal() {
    local name=$1 expected=$2 rc=0
    shift 2
    "$CHIPRACE" analyze "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    [ "$rc" -eq 2 ] || { cat "$WORK/stderr"; fail "$name: exit code $rc, expected 2"; }
    [ "$(wc -l <"$WORK/stderr")" -eq 1 ] || { cat "$WORK/stderr"; fail "$name: expected one line"; }
    grep -qF -- "$expected" "$WORK/stderr" || { cat "$WORK/stderr"; fail "$name: message lacks '$expected'"; }
    echo "ok $name: $(cat "$WORK/stderr")"
}
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 500 --set output.store=summary \
    -o "$WORK/summary.h5" -q
expect_refusal summary-only "no per-sample rows (the run used store = \"summary\")" "$WORK/summary.h5"
expect_refusal missing-file "$WORK/nothing.h5: no such file" "$WORK/nothing.h5"
expect_refusal unknown-output "no output 'yy'; did you mean 'y'?" "$WORK/x.h5" --output yy
expect_refusal year-without-time "no time axis" "$WORK/x.h5" --year 2030
cmp -s "$WORK/x.h5" "$WORK/before.h5" || fail "a refused analyze changed the file"
# A failure while writing (the temporary copy cannot be made) leaves the original as it was.
mkdir "$WORK/x.h5.analyze.partial"
rc=0; "$CHIPRACE" analyze "$WORK/x.h5" 2>"$WORK/stderr" || rc=$?
[ "$rc" -eq 1 ] || { cat "$WORK/stderr"; fail "unwritable copy: exit code $rc, expected 1"; }
grep -q "cannot copy" "$WORK/stderr" || { cat "$WORK/stderr"; fail "unwritable copy: message"; }
cmp -s "$WORK/x.h5" "$WORK/before.h5" || fail "a failed analyze changed the file"
rmdir "$WORK/x.h5.analyze.partial"

# --- the compute-race policy comparison: per-year outputs under each policy -----------------
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 3000 \
    --set output.store=raw -o "$WORK/p.h5" -q
expect_refusal year-outside "--year 2040 is outside the horizon of $WORK/p.h5 (2025-2035)" \
    "$WORK/p.h5" --year 2040
"$CHIPRACE" analyze -q "$WORK/p.h5" 2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "analyze p.h5"; }
"$PYTHON" - "$WORK/p.h5" <<'PY'
import json
import sys
import h5py
import numpy as np

f = h5py.File(sys.argv[1], "r")
params = [p["name"] for p in json.loads(f["config_resolved"][()])["parameters"]]
assert [n.decode() for n in f["parameter"][()]] == params
d, years = len(params), list(f["time"][()])
assert list(f["rank_correlation_year"][()]) == years
policies = list(f["policies"])
assert len(policies) == 6, policies
for policy in policies:
    outputs = f[f"policies/{policy}/outputs"]
    rc = f[f"policies/{policy}/rank_correlations"]
    assert sorted(rc) == sorted(outputs), (sorted(rc), sorted(outputs))
    for name, ds in outputs.items():
        shape = (d, len(years)) if ds.ndim == 2 else (d,)
        for c in ("spearman", "srrc", "prcc"):
            assert rc[name][c].shape == shape, (policy, name, c, rc[name][c].shape)
            v = rc[name][c][()]
            assert np.all(np.isnan(v) | (np.abs(v) <= 1 + 1e-12)) or c == "srrc", (policy, name, c)
        assert rc[name]["n_used"].shape == shape[1:]
        assert rc[name]["r_squared"].shape == shape[1:]
        assert np.all(rc[name]["n_used"][()] + rc[name]["n_dropped"][()] == 3000)
# A fixed parameter has no rank correlation.
fixed = params.index("cn_hbm_per_chip")
assert np.all(np.isnan(f["policies/nvidia/rank_correlations/compute_ratio/spearman"][fixed]))
s = f["policies/nvidia/rank_correlations/compute_ratio/spearman"][()]
top = np.argsort(-np.nan_to_num(np.abs(s[:, years.index(2030)])))[:3]
print("nvidia compute_ratio 2030, strongest Spearman:",
      ", ".join(f"{params[k]} {s[k, years.index(2030)]:+.3f}" for k in top))
# netCDF tools see named dimensions on the results.
import xarray as xr
ds = xr.open_dataset(sys.argv[1], group="policies/nvidia/rank_correlations/compute_ratio",
                     engine="netcdf4")
assert ds["prcc"].dims == ("parameter", "rank_correlation_year"), ds["prcc"].dims
PY

# A second analyze replaces the first: only the selected output and years remain.
"$CHIPRACE" analyze -q "$WORK/p.h5" --output compute_ratio --year 2030 --year 2027 --output cum_smuggled
"$PYTHON" - "$WORK/p.h5" <<'PY'
import sys
import h5py
import xarray as xr

f = h5py.File(sys.argv[1], "r")
assert list(f["rank_correlation_year"][()]) == [2027, 2030]
for policy in f["policies"]:
    rc = f[f"policies/{policy}/rank_correlations"]
    assert sorted(rc) == ["compute_ratio", "cum_smuggled"], sorted(rc)
    assert rc["compute_ratio/prcc"].shape == (62, 2)  # the flagship's 62 parameters
    assert rc["cum_smuggled/prcc"].shape == (62,)
# The earlier results' references to /parameter were detached, not left dangling.
refs = f["parameter"].attrs["REFERENCE_LIST"]
assert len(refs) == 6 * 2 * 3, len(refs)
for ref, dim in refs:
    assert f[ref].name.split("/")[-1] in ("spearman", "srrc", "prcc"), f[ref].name
xr.open_dataset(sys.argv[1], group="policies/anthropic/rank_correlations/cum_smuggled",
                engine="netcdf4")
print("a second analyze replaced the first")
PY
echo "rank correlations ok"
