# Bad input: a one-line error naming the file and line (or the parameter), exit code 2, and no
# output file; an existing result is never replaced without --force.
source "$(dirname "$0")/lib.sh"
good="$SOURCE_DIR/experiments/ishigami.toml"

# expect_error NAME EXPECTED_TEXT CONFIG [ARGS...]
expect_error() {
    local name=$1 expected=$2 config=$3
    shift 3
    local out="$WORK/$name.h5" rc=0
    # Alone, as a user on a laptop runs it: exactly one line on stderr.
    "$CHIPRACE" run "$config" -o "$out" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    [ "$rc" -eq 2 ] || { cat "$WORK/stderr"; fail "$name: exit code $rc, expected 2"; }
    [ "$(wc -l < "$WORK/stderr")" -eq 1 ] || { cat "$WORK/stderr"; fail "$name: expected one line of error"; }
    grep -qF -- "$expected" "$WORK/stderr" || { cat "$WORK/stderr"; fail "$name: message lacks '$expected'"; }
    [ ! -e "$out" ] && [ ! -e "$out.partial" ] || fail "$name: an output file was written"
    echo "ok $name: $(cat "$WORK/stderr")"
    # Under mpiexec on 3 ranks: the same exit code, and only rank 0 reports (mpiexec adds its
    # own lines about the exit code, which are not ours to suppress).
    rc=0
    chiprace_mpi 3 1 run "$config" -o "$out" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    [ "$rc" -eq 2 ] || { cat "$WORK/stderr"; fail "$name under mpiexec: exit code $rc, expected 2"; }
    [ "$(grep -c '^chiprace: ' "$WORK/stderr")" -eq 1 ] || { cat "$WORK/stderr"; fail "$name: more than one rank reported"; }
    [ ! -e "$out" ] && [ ! -e "$out.partial" ] || fail "$name under mpiexec: an output file was written"
}

expect_error missing-file "$WORK/nonexistent.toml: cannot open experiment file" "$WORK/nonexistent.toml"

sed 's/^seed = 42/seed = = 42/' "$good" > "$WORK/syntax.toml"
line=$(grep -n '^seed' "$WORK/syntax.toml" | cut -d: -f1)
expect_error syntax "$WORK/syntax.toml:$line:" "$WORK/syntax.toml"
grep -q "TOML syntax error" "$WORK/stderr" || fail "syntax: not called a syntax error"

sed 's/^samples = /smaples = /' "$good" > "$WORK/unknown.toml"
line=$(grep -n '^smaples' "$WORK/unknown.toml" | cut -d: -f1)
expect_error unknown-key "$WORK/unknown.toml:$line:1: unknown key 'smaples' in [experiment]; did you mean 'samples'?" "$WORK/unknown.toml"

sed 's/^x2 = { dist = "uniform", low = -3.141592653589793/x2 = { dist = "uniform", low = 4/' "$good" > "$WORK/dist.toml"
line=$(grep -n '^x2' "$WORK/dist.toml" | cut -d: -f1)
expect_error bad-distribution "$WORK/dist.toml:$line:1: parameter 'x2' (uniform): low must be less than high" "$WORK/dist.toml"

expect_error bad-set "experiment.samples must be positive (got 0)" "$good" --set experiment.samples=0
expect_error bad-cli "--samples" "$good" --samples notanumber

# validate gives the same verdicts without running.
rc=0; "$CHIPRACE" validate "$WORK/unknown.toml" 2>"$WORK/stderr" || rc=$?
[ "$rc" -eq 2 ] && grep -q "did you mean 'samples'" "$WORK/stderr" || fail "validate did not report the unknown key"

# An existing result survives a run without --force, byte for byte.
echo "precious results" > "$WORK/existing.h5"
cp "$WORK/existing.h5" "$WORK/existing.copy"
rc=0; chiprace_mpi 2 1 run "$good" --samples 100 -o "$WORK/existing.h5" 2>"$WORK/stderr" || rc=$?
[ "$rc" -eq 2 ] || fail "existing output: exit code $rc, expected 2"
grep -q "exists; pass --force" "$WORK/stderr" || fail "existing output: message"
cmp -s "$WORK/existing.h5" "$WORK/existing.copy" || fail "existing output was modified"
chiprace_mpi 2 1 run "$good" --samples 100 -o "$WORK/existing.h5" --force 2>/dev/null
"$PYTHON" -c 'import h5py,sys; assert h5py.File(sys.argv[1])["outputs/y"].shape == (100,)' "$WORK/existing.h5"

# An unwritable place is a clear runtime error naming the path, exit 1.
rc=0; chiprace_mpi 2 1 run "$good" --samples 100 -o /proc/chiprace/x.h5 2>"$WORK/stderr" || rc=$?
[ "$rc" -ne 0 ] || fail "writing under /proc succeeded?"
grep -q "/proc/chiprace" "$WORK/stderr" || { cat "$WORK/stderr"; fail "unwritable path not named"; }
# A full disk: the error names the file and says why; nothing is published. Needs root to mount
# a 2 MB tmpfs (CI runs as root); without root this one check is reported as not run.
if [ "$(id -u)" = 0 ] && mkdir -p "$WORK/tiny" && mount -t tmpfs -o size=2m tmpfs "$WORK/tiny" 2>/dev/null; then
    # The pre-flight check refuses it up front (3.2 MB of rows, 2 MB of disk) ...
    rc=0; chiprace_mpi 2 1 run "$good" --samples 200000 -o "$WORK/tiny/full.h5" 2>"$WORK/stderr" || rc=$?
    [ "$rc" = 2 ] && grep -q "needs about .* but its file system has" "$WORK/stderr" &&
        [ ! -e "$WORK/tiny/full.h5.partial" ] ||
        { umount "$WORK/tiny"; cat "$WORK/stderr"; fail "full disk: not refused up front ($rc)"; }
    # ... and past it (--ignore-size-check) the full disk fails the run with a message.
    rc=0; chiprace_mpi 2 1 run "$good" --samples 200000 -o "$WORK/tiny/full.h5" \
        --ignore-size-check 2>"$WORK/stderr" || rc=$?
    umount "$WORK/tiny"
    [ "$rc" = 1 ] || { cat "$WORK/stderr"; fail "full disk: exit $rc, not 1"; }
    grep -q "cannot write rows to $WORK/tiny/full.h5.partial: .*no space left on device? the file system of $WORK/tiny has" "$WORK/stderr" \
        || { cat "$WORK/stderr"; fail "full disk: the message does not name the file and the reason"; }
    grep -q "HDF5-DIAG" "$WORK/stderr" && fail "full disk: HDF5's error stack printed without --debug"
    echo "full disk: clear error"
else
    echo "full-disk check not run: it needs root to mount a tmpfs"
fi

# Raw rows larger than the file system allows (ext4: 16 TiB): refused before any file is made,
# with the system's reason, where HDF5 would fail only when closing the file. Needs root to mount
# a small ext4 image (CI runs as root); without it this one check is reported as not run. The
# pre-flight check would refuse it first (more than the free space, tested in size_check.sh):
# --ignore-size-check lets it reach the file system's own limit.
if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null && mkdir -p "$WORK/ext4" \
    && truncate -s 8M "$WORK/ext4.img" && mkfs.ext4 -q -F "$WORK/ext4.img" \
    && mount -o loop "$WORK/ext4.img" "$WORK/ext4" 2>/dev/null; then
    rc=0; chiprace_mpi 1 1 run "$good" --samples 4000000000000 --set output.store=raw \
        --ignore-size-check -o "$WORK/ext4/huge.h5" 2>"$WORK/stderr" || rc=$?
    leftover=$(ls -A "$WORK/ext4" | grep -v lost+found || true)
    umount "$WORK/ext4"
    [ "$rc" = 1 ] || { cat "$WORK/stderr"; fail "too large for ext4: exit $rc, not 1"; }
    grep -q "cannot create $WORK/ext4/huge.h5.partial: the raw rows need 128 TB .*(File too large)" \
        "$WORK/stderr" || { cat "$WORK/stderr"; fail "too large for ext4: no clear reason"; }
    [ -z "$leftover" ] || fail "too large for ext4: left $leftover behind"
    echo "too large for the file system: clear error, nothing left"
else
    echo "file-size check not run: it needs root to mount an ext4 image"
fi

# Non-finite outputs: counted by default; with output.on_nonfinite = "error" the run fails (exit
# 1), names the output, year and policy, and publishes no result. algo_progress < 1 makes the
# US frontier shrink, so every frontier gap is NaN.
shrink=(--samples 500 --set 'parameters.algo_progress={dist="fixed", value=0.3}')
chiprace_mpi 1 1 run "$SOURCE_DIR/experiments/policy_comparison.toml" "${shrink[@]}" \
    -o "$WORK/counted.h5" 2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "counting run failed"; }
grep -q "output values were not finite" "$WORK/stderr" || { cat "$WORK/stderr"; fail "no non-finite warning"; }
"$PYTHON" -c "import h5py,sys; n=h5py.File(sys.argv[1])['policies/nvidia/summary/frontier_gap_years/n_non_finite'][:]; assert (n == 500).all(), n" "$WORK/counted.h5"
rc=0; chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/policy_comparison.toml" "${shrink[@]}" \
    --set output.on_nonfinite=error -o "$WORK/strict.h5" 2>"$WORK/stderr" || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/stderr"; fail "on_nonfinite=error: exit $rc, not 1"; }
grep -q 'output.on_nonfinite = "error": frontier_gap_years 2025 (policies/pre_diffusion): 500' "$WORK/stderr" \
    || { cat "$WORK/stderr"; fail "on_nonfinite=error does not say where"; }
[ ! -e "$WORK/strict.h5" ] || fail "on_nonfinite=error published a result"
echo "bad input handled"
