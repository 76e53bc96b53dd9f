# h5dump -A shows the provenance docs/design.md (invariant 5) promises on the root group.
source "$(dirname "$0")/lib.sh"
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 1000 -o "$WORK/a.h5" 2>/dev/null
h5dump -A "$WORK/a.h5" > "$WORK/attrs.txt"
for attr in format format_version software_version git_revision seed design n_samples \
            mpi_ranks omp_threads created_utc command_line; do
    grep -q "ATTRIBUTE \"$attr\"" "$WORK/attrs.txt" || fail "root attribute $attr missing"
done
"$PYTHON" - "$WORK/a.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
a = f.attrs
assert a["format"] == b"chiprace", a["format"]
assert a["format_version"] == 1
assert a["n_samples"] == 1000 and a["seed"] == 42 and a["mpi_ranks"] == 2
assert a["design"] == b"mc"
assert f["config"][()].decode().startswith("# The Ishigami function")
assert f["inputs/x1"].attrs["distribution"].startswith(b"uniform(")
assert f["outputs/y"].shape == (1000,)
assert f["summary/y/quantiles"].shape == (5,)
assert list(f["quantile_level"][()]) == [0.05, 0.25, 0.5, 0.75, 0.95]
assert f["summary/y/n_finite"][()] == 1000
d = f["design"].attrs
assert d["kind"] == b"mc" and d["seed"] == 42 and d["n_runs"] == 1000 and d["dimension"] == 3, dict(d)
print("root attributes and layout as documented")
PY

# Every design says what it is in /design, enough to re-derive its points.
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 64 --set experiment.design=saltelli \
    -o "$WORK/s.h5" 2>/dev/null
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 10 --set experiment.design=morris \
    --set design.levels=6 -o "$WORK/m.h5" 2>/dev/null
"$PYTHON" - "$WORK/s.h5" "$WORK/m.h5" <<'PY'
import sys, h5py
s = h5py.File(sys.argv[1], "r")
d = s["design"].attrs
assert d["kind"] == b"saltelli" and d["n_base"] == 64 and d["n_runs"] == 64 * 5, dict(d)
assert d["base_kind"] == b"sobol" and b"digital shift" in d["base_scramble"]
assert s.attrs["n_samples"] == 320 and s["outputs/y"].shape == (320,)
m = h5py.File(sys.argv[2], "r")
assert m["design"].attrs["levels"] == 6 and m["design"].attrs["trajectories"] == 10
assert m["outputs/y"].shape == (40,)
role = s["design/role"][()]
assert list(role[:10]) == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4], role[:10]
moved = m["design/moved_parameter"][()]
assert list(moved[0::4]) == [-1] * 10 and sorted(moved[1:4]) == [0, 1, 2], moved[:8]
# The moved parameter is the one whose value changed between consecutive runs.
x = [m["inputs/x1"][()], m["inputs/x2"][()], m["inputs/x3"][()]]
for run in range(1, 40):
    if moved[run] >= 0:
        changed = [k for k in range(3) if x[k][run] != x[k][run - 1]]
        assert changed == [moved[run]], (run, changed, moved[run])
print("/design records saltelli and morris")
PY
