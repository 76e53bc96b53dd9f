# Checkpoint and resume (issue 7): a run stopped by SIGTERM, or by kill -9 of one rank, is
# continued with --resume on another rank count and ends with the file an uninterrupted run
# writes, bit for bit; a changed experiment and a damaged ledger are refused.
source "$(dirname "$0")/lib.sh"

FLAG=("$SOURCE_DIR/experiments/policy_comparison.toml")
# Large enough that a run is still under way when it is interrupted; a sanitized build (ctest
# --preset dev sets CHIPRACE_SANITIZED) is about ten times slower, and a fifth of the samples
# keeps its runs as long as the optimised build's while staying within the test's timeout.
scale=1
[ "${CHIPRACE_SANITIZED:-0}" = 1 ] && scale=5
SUMMARY=(--samples $((300000 / scale)) --set output.store=summary)
RAW=(--set 'experiment.policies=["diffusion_rule", "anthropic"]' --samples $((150000 / scale))
     --set output.store=raw --round-memory 0.5)

# start_run OUT ARGS...: launches a 2-rank run in the background, checkpointing often.
start_run() {
    local out=$1
    shift
    OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS \
        "$CHIPRACE" run "${FLAG[@]}" "$@" --checkpoint-every 0.05 -o "$out" 2>"$WORK/log" &
    RUN_PID=$!
}
# ranks_of PID: the rank processes mpiexec started.
ranks_of() { pgrep -P "$1" || true; }
# interrupt SIGNAL: freeze the ranks where they are, deliver the signal, let them go on: they
# finish the round in flight, write the ledger and exit 3.
interrupt() {
    local pids
    pids=$(ranks_of "$RUN_PID")
    [ -n "$pids" ] || fail "no rank processes found"
    kill -STOP $pids
    kill "-$1" $pids
    kill -CONT $pids
}

for mode in summary raw; do
    if [ $mode = summary ]; then args=("${SUMMARY[@]}"); else args=("${RAW[@]}"); fi
    # The reference: one uninterrupted run on one rank.
    chiprace_mpi 1 1 run "${FLAG[@]}" "${args[@]}" -o "$WORK/$mode-ref.h5" 2>/dev/null \
        || fail "$mode reference run"

    # SIGTERM: exit code 3, a ledger, no result yet; resume on 3 ranks: identical.
    start_run "$WORK/$mode.h5" "${args[@]}"
    wait_for_ledger "$WORK/$mode.h5"
    interrupt TERM
    set +e
    wait "$RUN_PID"
    code=$?
    set -e
    [ "$code" = 3 ] || { cat "$WORK/log"; fail "$mode: SIGTERM gave exit code $code, not 3"; }
    grep -q "SIGTERM: stopped after finishing the blocks in flight" "$WORK/log" || { cat "$WORK/log"; fail "message"; }
    [ -e "$WORK/$mode.h5.checkpoint" ] && [ -e "$WORK/$mode.h5.partial" ] && [ ! -e "$WORK/$mode.h5" ] \
        || fail "$mode: expected a ledger and a partial file, and no result"
    done_blocks=$("$PYTHON" -c "import h5py,sys; d=h5py.File(sys.argv[1])['done_blocks'][:]; print(int((d[:,1]-d[:,0]).sum()))" "$WORK/$mode.h5.checkpoint")
    echo "$mode: interrupted with $done_blocks blocks done"
    [ "$done_blocks" -gt 0 ] || fail "$mode: the ledger records no finished block"
    # Without --resume the ledger is not thrown away silently.
    set +e
    chiprace_mpi 1 1 run "${FLAG[@]}" "${args[@]}" -o "$WORK/$mode.h5" 2>"$WORK/err"
    code=$?
    set -e
    [ "$code" = 2 ] && grep -q "continue it with --resume, or start over with --force" "$WORK/err" \
        || { cat "$WORK/err"; fail "$mode: a run over a ledger was not refused ($code)"; }
    chiprace_mpi 3 1 run "${FLAG[@]}" "${args[@]}" -o "$WORK/$mode.h5" --resume 2>"$WORK/log" \
        || { cat "$WORK/log"; fail "$mode: resume"; }
    [ ! -e "$WORK/$mode.h5.checkpoint" ] || fail "$mode: the ledger outlived the finished run"
    "$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/$mode-ref.h5" "$WORK/$mode.h5"
done

# kill -9 of one rank: the job dies; the last periodic ledger resumes, on 1 rank: identical.
start_run "$WORK/killed.h5" "${SUMMARY[@]}"
wait_for_ledger "$WORK/killed.h5"
sleep 0.3
ranks=$(ranks_of "$RUN_PID")
victim=$(tail -1 <<<"$ranks")
kill -9 "$victim"
set +e
wait "$RUN_PID"
code=$?
set -e
[ "$code" != 0 ] || fail "the job survived kill -9 of a rank"
# mpiexec returns while the other ranks are still being ended (about a second); until then
# rank 0 is alive and holds OUT.lock, and a resume would rightly be refused.
for _ in $(seq 1 300); do
    alive=0
    for pid in $ranks; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 1 ] || break
    sleep 0.05
done
chiprace_mpi 1 2 run "${FLAG[@]}" "${SUMMARY[@]}" -o "$WORK/killed.h5" --resume 2>"$WORK/log" \
    || { cat "$WORK/log"; fail "resume after kill -9"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/summary-ref.h5" "$WORK/killed.h5"

# Sobol' sums resume too (sensitivity.toml at a small size, interrupted, resumed on 1 rank).
SENS=("$SOURCE_DIR/experiments/sensitivity.toml" --samples 2048)
chiprace_mpi 1 1 run "${SENS[@]}" -o "$WORK/sens-ref.h5" 2>/dev/null || fail "sensitivity reference"
OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS \
    "$CHIPRACE" run "${SENS[@]}" --round-memory 1 --checkpoint-every 0.02 -o "$WORK/sens.h5" 2>"$WORK/log" &
RUN_PID=$!
wait_for_ledger "$WORK/sens.h5"
interrupt USR1
set +e
wait "$RUN_PID"
code=$?
set -e
[ "$code" = 3 ] || { cat "$WORK/log"; fail "SIGUSR1 gave exit code $code"; }
chiprace_mpi 1 1 run "${SENS[@]}" -o "$WORK/sens.h5" --resume 2>"$WORK/log" || { cat "$WORK/log"; fail "sensitivity resume"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/sens-ref.h5" "$WORK/sens.h5"

# A changed experiment is refused, naming the change; the ledger is kept.
start_run "$WORK/changed.h5" "${SUMMARY[@]}"
wait_for_ledger "$WORK/changed.h5"
interrupt TERM
wait "$RUN_PID" || true
set +e
chiprace_mpi 1 1 run "${FLAG[@]}" "${SUMMARY[@]}" --seed 99 -o "$WORK/changed.h5" --resume 2>"$WORK/err"
code=$?
set -e
[ "$code" = 2 ] || { cat "$WORK/err"; fail "a changed seed was resumed ($code)"; }
grep -q "the experiment changed since the checkpoint: experiment.seed: 20250113 -> 99" "$WORK/err" \
    || { cat "$WORK/err"; fail "the refusal does not say what changed"; }
[ -e "$WORK/changed.h5.checkpoint" ] || fail "a refused resume removed the ledger"

# A damaged ledger (bytes flipped in the middle, or truncated) is reported, never used.
cp "$WORK/changed.h5.checkpoint" "$WORK/good.checkpoint"
size=$(stat -c %s "$WORK/changed.h5.checkpoint")
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$WORK/changed.h5.checkpoint" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
for damage in flipped truncated; do
    if [ $damage = truncated ]; then
        cp "$WORK/good.checkpoint" "$WORK/changed.h5.checkpoint"
        truncate -s $((size / 3)) "$WORK/changed.h5.checkpoint"
    fi
    set +e
    chiprace_mpi 1 1 run "${FLAG[@]}" "${SUMMARY[@]}" -o "$WORK/changed.h5" --resume 2>"$WORK/err"
    code=$?
    set -e
    [ "$code" = 2 ] && grep -q "checkpoint .*changed.h5.checkpoint is damaged" "$WORK/err" \
        || { cat "$WORK/err"; fail "a $damage ledger was not reported ($code)"; }
    [ ! -e "$WORK/changed.h5" ] || fail "a damaged ledger produced a result"
done
echo "checkpoint_resume: all checks passed"
