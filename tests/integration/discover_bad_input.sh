# chiprace discover refuses what it cannot do with one line and exit code 2 (did-you-mean for
# names), on every rank alike, and leaves the file as it was.
source "$(dirname "$0")/lib.sh"

# expect_refusal NAME EXPECTED_TEXT ARGS...
expect_refusal() {
    local name=$1 expected=$2 rc=0
    shift 2
    "$CHIPRACE" discover "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    [ "$rc" -eq 2 ] || { cat "$WORK/stderr"; fail "$name: exit code $rc, expected 2"; }
    [ "$(wc -l <"$WORK/stderr")" -eq 1 ] || { cat "$WORK/stderr"; fail "$name: expected one line"; }
    grep -qF -- "$expected" "$WORK/stderr" || { cat "$WORK/stderr"; fail "$name: message lacks '$expected'"; }
    echo "ok $name: $(cat "$WORK/stderr")"
}

"$CHIPRACE" run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 300 \
    --set output.store=raw -o "$WORK/p.h5" -q
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 300 --set output.store=summary \
    -o "$WORK/summary.h5" -q
"$CHIPRACE" discover "$WORK/p.h5" --case 'frontier_gap_years[2030] < 1' --policy anthropic \
    --name taken -q 2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "the first discover failed"; }
cp "$WORK/p.h5" "$WORK/before.h5"
P="$WORK/p.h5"
C='frontier_gap_years[2030] < 1'
expect_refusal not-raw "no per-sample rows (the run used store = \"summary\")" \
    "$WORK/summary.h5" --case 'y < 0'
expect_refusal missing-file "$WORK/nothing.h5: no such file" "$WORK/nothing.h5" --case 'y < 0'
expect_refusal unknown-output "no output 'frontier_gap_yaers'; did you mean 'frontier_gap_years'?" \
    "$P" --case 'frontier_gap_yaers[2030] < 1' --policy anthropic
expect_refusal bad-expression "bad case expression 'frontier_gap_years[2030] = 1': expected one of < <= > >=" \
    "$P" --case 'frontier_gap_years[2030] = 1' --policy anthropic
expect_refusal bad-direction "expected 'higher' or 'lower'" \
    "$P" --case 'regret(frontier_gap_years[2030], up) > 1' --policy anthropic
expect_refusal no-policy "policies (" "$P" --case "$C"
expect_refusal unknown-policy "no policy 'anthropik'; did you mean 'anthropic'?" \
    "$P" --case "$C" --policy anthropik
expect_refusal year-outside "year 2040 is outside the horizon of $P (2025-2035)" \
    "$P" --case 'frontier_gap_years[2040] < 1' --policy anthropic
expect_refusal no-year "has one value per year: write frontier_gap_years[YEAR]" \
    "$P" --case 'frontier_gap_years < 1' --policy anthropic
expect_refusal unknown-input "no input 'taiwan_shok'" "$P" --case "$C" --policy anthropic \
    --inputs taiwan_shok
expect_refusal existing-name "already has /discovery/taken: choose another --name, or replace it with --overwrite" \
    "$P" --case "$C" --policy anthropic --name taken
expect_refusal no-cases "no row meets the case" "$P" --case 'frontier_gap_years[2030] < -1000' \
    --policy anthropic -q
expect_refusal box-index "--box 999: the trajectory has steps" "$P" --case "$C" \
    --policy anthropic --box 999 -q
cmp -s "$P" "$WORK/before.h5" || fail "a refused discover changed the file"

# Under mpiexec every rank refuses together: one message, exit 2, no hang.
rc=0
chiprace_mpi 2 1 discover "$P" --case 'frontier_gap_yaers[2030] < 1' --policy anthropic \
    2>"$WORK/stderr" >/dev/null || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/stderr"; fail "2 ranks: exit code $rc, expected 2"; }
[ "$(grep -c "did you mean" "$WORK/stderr")" -eq 1 ] || { cat "$WORK/stderr"; fail "2 ranks: one message"; }

# --overwrite replaces the named result and nothing else.
"$CHIPRACE" discover "$P" --case 'frontier_gap_years[2030] < 2' --policy anthropic --name taken \
    --overwrite -q || fail "--overwrite failed"
"$PYTHON" - "$P" <<'PY'
import sys
import h5py
g = h5py.File(sys.argv[1], "r")["discovery"]
assert list(g) == ["taken"], list(g)
case = g["taken"].attrs["case"]
case = case.decode() if isinstance(case, bytes) else case
assert case == "frontier_gap_years[2030] < 2", case
PY
echo "discover_bad_input: OK"
