# Bad-input corpus (issue 8): every tests/bad_inputs/NN-what.toml must give its expected exit
# code and messages (NN-what.expect, optional extra arguments in NN-what.args), from
# `chiprace validate` and from `chiprace run` over an existing result, which must survive byte
# for byte, with and without --force; a few files also under mpiexec, where only rank 0 reports.
# The format of the corpus is described in tests/bad_inputs/README.md.
#
# Usage: bash bad_input_corpus.sh [DIR]  (default $SOURCE_DIR/tests/bad_inputs; another
# directory of cases in the same format, e.g. new ones being written, can be checked too).
source "$(dirname "$0")/lib.sh"
corpus=$(cd "${1:-$SOURCE_DIR/tests/bad_inputs}" && pwd)
# Files also run under mpiexec -n 2 (those of them that are in the corpus).
mpi_files=(01-syntax-double-equals 49-several-errors 50-set-unknown-key 55-include-cycle
           60-race-share-outside-unit)

# A small finished result stands for a user's earlier run that a bad command must not touch.
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 100 --set output.store=summary \
    -q -o "$WORK/out.h5"
reference_sum=$(sha256sum < "$WORK/out.h5")

failures=()
# problem NAME TEXT: records a failure (and shows the stderr it is about); the test goes on.
problem() {
    failures+=("$1: $2")
    echo "FAIL $1: $2" >&2
    sed 's/^/    | /' "$WORK/stderr" >&2
}

# check_stderr NAME: the expected substrings (and none of the '!' ones) on $WORK/stderr.
check_stderr() {
    local name=$1 line
    for line in "${expect_lines[@]}"; do
        [ -n "$line" ] || continue
        if [ "${line:0:1}" = "!" ]; then
            if grep -qF -- "${line:1}" "$WORK/stderr"; then problem "$name" "stderr has '${line:1}'"; fi
        elif ! grep -qF -- "$line" "$WORK/stderr"; then
            problem "$name" "stderr lacks '$line'"
        fi
    done
}

# check_untouched NAME RC: out.h5 unchanged; after an input error, no .partial nor ledger.
check_untouched() {
    local name=$1 rc=$2
    [ "$(sha256sum < "$WORK/out.h5")" = "$reference_sum" ] || {
        problem "$name" "the existing out.h5 was changed"
        cp "$WORK/out.h5.orig" "$WORK/out.h5"
    }
    if [ "$rc" -eq 2 ]; then
        for leftover in "$WORK/out.h5.partial" "$WORK/out.h5.checkpoint"; do
            [ ! -e "$leftover" ] || problem "$name" "left $(basename "$leftover") behind"
        done
    fi
    rm -f "$WORK/out.h5.partial" "$WORK/out.h5.checkpoint"
}
cp "$WORK/out.h5" "$WORK/out.h5.orig"

cd "$corpus"
shopt -s nullglob
files=(*.toml)
[ "${#files[@]}" -gt 0 ] || fail "no *.toml in $corpus"
runs=0 mpi_runs=0
for file in "${files[@]}"; do
    name=${file%.toml}
    [ -f "$name.expect" ] || { failures+=("$name: no $name.expect"); continue; }
    mapfile -t expect_lines < "$name.expect"
    read -r run_rc validate_rc <<< "${expect_lines[0]}"
    validate_rc=${validate_rc:-$run_rc}
    expect_lines=("${expect_lines[@]:1}")
    [[ "$run_rc" =~ ^[0-9]+$ && "$validate_rc" =~ ^[0-9]+$ ]] ||
        { failures+=("$name: line 1 of $name.expect is not an exit code"); continue; }
    args=()
    [ ! -f "$name.args" ] || mapfile -t args < "$name.args"

    # (a) validate: the exit code, the messages, nothing but chiprace's own error lines.
    rc=0
    "$CHIPRACE" validate "$file" "${args[@]}" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    runs=$((runs + 1))
    [ "$rc" -eq "$validate_rc" ] || problem "$name" "validate exit code $rc, expected $validate_rc"
    if [ "$validate_rc" -ne 0 ]; then
        check_stderr "$name (validate)"
        [ ! -s "$WORK/stdout" ] || problem "$name" "validate printed on stdout: $(head -1 "$WORK/stdout")"
        if grep -qv '^chiprace: \(error\|warning\): ' "$WORK/stderr"; then
            problem "$name" "validate printed lines that are not chiprace errors or warnings"
        fi
    fi
    sort "$WORK/stderr" > "$WORK/serial.sorted"

    # (b) run over an existing result, first without --force: an input error is reported as
    # such (not as "exists"), a valid experiment stops at the existing file.
    rc=0
    "$CHIPRACE" run "$file" -o "$WORK/out.h5" "${args[@]}" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    runs=$((runs + 1))
    if [ "$validate_rc" -ne 0 ]; then
        [ "$rc" -eq "$run_rc" ] || problem "$name" "run exit code $rc, expected $run_rc"
        check_stderr "$name (run)"
        sort "$WORK/stderr" | cmp -s - "$WORK/serial.sorted" ||
            problem "$name" "run and validate report different problems"
    else
        [ "$rc" -eq 2 ] && grep -qF "exists; pass --force" "$WORK/stderr" ||
            problem "$name" "run without --force over an existing file: exit code $rc"
    fi
    check_untouched "$name (run)" "$rc"

    # ... then with --force: the old result stays until a new one is complete.
    rc=0
    "$CHIPRACE" run "$file" -o "$WORK/out.h5" --force "${args[@]}" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    runs=$((runs + 1))
    [ "$rc" -eq "$run_rc" ] || problem "$name" "run --force exit code $rc, expected $run_rc"
    check_stderr "$name (run --force)"
    check_untouched "$name (run --force)" "$rc"

    # (c) under mpiexec: the same exit code and the same messages, each once (rank 0 only);
    # mpiexec's own lines about the exit code are not ours.
    if [[ " ${mpi_files[*]} " == *" $name "* ]]; then
        rc=0
        chiprace_mpi 2 1 run "$file" -o "$WORK/out.h5" --force "${args[@]}" \
            >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
        mpi_runs=$((mpi_runs + 1))
        [ "$rc" -eq "$run_rc" ] || problem "$name" "mpiexec -n 2: exit code $rc, expected $run_rc"
        check_stderr "$name (mpiexec -n 2)"
        grep '^chiprace: ' "$WORK/stderr" | sort | cmp -s - "$WORK/serial.sorted" ||
            problem "$name" "mpiexec -n 2: not each message exactly once"
        check_untouched "$name (mpiexec -n 2)" "$rc"
    fi
done

if [ "${#failures[@]}" -gt 0 ]; then
    echo "bad input corpus: ${#failures[@]} failure(s) in ${#files[@]} files of $corpus:" >&2
    printf '  %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "bad input corpus: ${#files[@]} files ok ($runs runs, $mpi_runs under mpiexec -n 2)"
