# The command line as documented: help, version, validate, info, --set, default output path.
source "$(dirname "$0")/lib.sh"
"$CHIPRACE" --help | grep -q "run" || fail "--help lists no run command"
"$CHIPRACE" run --help | grep -q -- "--set KEY.PATH=VALUE" || fail "run --help does not explain --set"
"$CHIPRACE" --version | grep -q "HDF5" || fail "--version lacks the HDF5 version"
"$CHIPRACE" --version | grep -q "Boost" || fail "--version lacks the Boost version"
"$CHIPRACE" --version | grep -q "Open MPI" || fail "--version lacks the MPI version"
"$CHIPRACE" validate "$SOURCE_DIR/experiments/ishigami.toml" | grep -q "valid experiment 'ishigami-demo'" \
    || fail "validate of the demo"
rc=0; "$CHIPRACE" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "no subcommand: exit $rc, expected 2"

# Default output: results/<name>.h5 relative to the working directory.
(cd "$WORK" && chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 500 2>/dev/null)
[ -f "$WORK/results/ishigami-demo.h5" ] || fail "default output path"

# --set with a bare word; summary mode stores no rows.
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 500 \
    --set output.store=summary --set 'output.quantiles=[0.1, 0.5, 0.9]' -o "$WORK/s.h5" 2>/dev/null
"$PYTHON" - "$WORK/s.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert "inputs" not in f and "outputs" not in f, list(f)
assert f["summary/y/quantiles"].shape == (3,)
assert f.attrs["store"] == b"summary"
PY

# Sobol' points with N not a power of two: a warning, not an error.
"$CHIPRACE" validate "$SOURCE_DIR/experiments/ishigami.toml" --set experiment.design=sobol 2>"$WORK/stderr" >/dev/null
grep -q "warning: experiment.samples = 100000 is not a power of two" "$WORK/stderr" || { cat "$WORK/stderr"; fail "no power-of-two warning"; }

# --quiet: nothing on stderr for a good run.
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 500 --quiet -o "$WORK/q.h5" 2>"$WORK/stderr"
[ ! -s "$WORK/stderr" ] || { cat "$WORK/stderr"; fail "--quiet printed something"; }

# info: a readable summary; only rank 0 prints it.
"$CHIPRACE" info "$WORK/s.h5" > "$WORK/info.txt"
grep -q "experiment   ishigami-demo" "$WORK/info.txt" || fail "info: experiment line"
grep -qE "^  y +[0-9.-]+" "$WORK/info.txt" || fail "info: summary row of y"
chiprace_mpi 3 1 info "$WORK/s.h5" > "$WORK/info3.txt"
[ "$(grep -c "experiment   ishigami-demo" "$WORK/info3.txt")" -eq 1 ] || fail "info printed by more than one rank"
rc=0; "$CHIPRACE" info "$WORK/nothing.h5" 2>"$WORK/stderr" || rc=$?
[ "$rc" -eq 2 ] && grep -q "no such file" "$WORK/stderr" || fail "info of a missing file"
echo "$SOURCE_DIR/README.md" > "$WORK/notes.h5"
rc=0; "$CHIPRACE" info "$WORK/notes.h5" 2>"$WORK/stderr" || rc=$?
[ "$rc" -eq 2 ] && grep -q "not an HDF5 file" "$WORK/stderr" || fail "info of a non-HDF5 file"
echo "command line behaves as documented"
