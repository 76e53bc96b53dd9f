# One run per output, and files created, never followed (issue 14, points 1 and 2): odd -o
# paths and links in the place of OUT, OUT.partial, OUT.checkpoint(.tmp), OUT.lock and part
# files are refused with exit 2 and the link's target is untouched byte for byte; of two runs
# on one output exactly one proceeds; stale locks are explained and taken over only by the
# documented rules; no lock outlives a run (success, failure, refusal, SIGTERM).
source "$(dirname "$0")/lib.sh"

GOOD="$SOURCE_DIR/experiments/ishigami.toml"
FLAG=("$SOURCE_DIR/experiments/policy_comparison.toml")
LONG=(--samples 400000 --set output.store=summary)

VICTIM="$WORK/victim.txt"
echo "precious data that no run may touch" >"$VICTIM"
VICTIM_SUM=$(sha256sum <"$VICTIM")
victim_intact() { [ "$(sha256sum <"$VICTIM")" = "$VICTIM_SUM" ] || fail "$1: the link's target was modified"; }

# refused WHAT PATTERN RANKS ARGS...: chiprace ARGS on RANKS ranks (0: without mpiexec) exits 2
# within 60 s (a FIFO must not block it), and its stderr matches PATTERN.
refused() {
    local what=$1 pattern=$2 ranks=$3 rc=0
    shift 3
    if [ "$ranks" = 0 ]; then
        timeout 60 "$CHIPRACE" "$@" 2>"$WORK/err" || rc=$?
    else
        OMP_NUM_THREADS=1 timeout 60 "$MPIEXEC" -n "$ranks" --oversubscribe --bind-to none \
            -x OMP_NUM_THREADS "$CHIPRACE" "$@" 2>"$WORK/err" || rc=$?
    fi
    [ "$rc" = 2 ] || { cat "$WORK/err"; fail "$what: exit $rc, not 2"; }
    grep -q -- "$pattern" "$WORK/err" || { cat "$WORK/err"; fail "$what: message does not match '$pattern'"; }
    echo "$what: refused"
}
no_lock() { [ ! -e "$1.lock" ] || { cat "$1.lock"; fail "$2: $1.lock left behind"; }; ls "$1".lock.* 2>/dev/null && fail "$2: private lock names left behind"; return 0; }

# ---- links in the place of every file a run creates ---------------------------------------
for suffix in "" .partial .checkpoint .checkpoint.tmp .lock; do
    out="$WORK/link$suffix.h5"
    ln -s "$VICTIM" "$out$suffix"
    for force in "" --force; do
        refused "symlinked OUT$suffix ${force:-(no --force)}" "$out$suffix.* is a symbolic link (to $VICTIM)" \
            1 run "$GOOD" --samples 100 -o "$out" $force
        victim_intact "OUT$suffix $force"
    done
    [ -L "$out$suffix" ] || fail "OUT$suffix: the link itself was removed or replaced"
    [ -z "$suffix" ] || [ ! -e "$out" ] || fail "OUT$suffix: a result was written"
    [ "$suffix" = .lock ] || no_lock "$out" "symlinked OUT$suffix"
done
# --resume over a linked ledger or partial file
out="$WORK/resume.h5"
echo x >"$out.checkpoint"
ln -s "$VICTIM" "$out.partial"
refused "--resume with a symlinked OUT.partial" "$out.partial is a symbolic link" \
    1 run "$GOOD" --samples 100 -o "$out" --resume
victim_intact "resume"
# A dangling link (to a file that does not exist yet) is not created through either.
ln -s "$WORK/not-yet" "$WORK/dangling.h5.partial"
refused "dangling symlinked OUT.partial" "is a symbolic link (to $WORK/not-yet)" \
    1 run "$GOOD" --samples 100 -o "$WORK/dangling.h5" --force
[ ! -e "$WORK/not-yet" ] || fail "the dangling link's target was created"

# Part files: the ledger written as PART.tmp and the rows renamed to PART.rows.
for suffix in .tmp .rows; do
    ln -s "$VICTIM" "$WORK/part$suffix.h5$suffix"
    refused "symlinked PART$suffix" "part$suffix.h5$suffix is a symbolic link" \
        1 run "$GOOD" --samples 100 --part 0/2 --set output.store=raw -o "$WORK/part$suffix.h5"
    victim_intact "PART$suffix"
done
# merge -o: the same checks, and its own lock
chiprace_mpi 1 1 run "$GOOD" --samples 100 --part 0/2 -o "$WORK/p0.h5" 2>/dev/null || fail "part 0"
chiprace_mpi 1 1 run "$GOOD" --samples 100 --part 1/2 -o "$WORK/p1.h5" 2>/dev/null || fail "part 1"
no_lock "$WORK/p0.h5" "part run"
for suffix in "" .partial .lock; do
    ln -s "$VICTIM" "$WORK/merged$suffix.h5$suffix"
    refused "merge into symlinked OUT$suffix" "is a symbolic link (to $VICTIM)" \
        0 merge "$GOOD" --samples 100 "$WORK/p0.h5" "$WORK/p1.h5" -o "$WORK/merged$suffix.h5" --force
    victim_intact "merge OUT$suffix"
done
"$CHIPRACE" merge "$GOOD" --samples 100 "$WORK/p0.h5" "$WORK/p1.h5" -o "$WORK/merged-ok.h5" 2>"$WORK/err" || { cat "$WORK/err"; fail "merge"; }
no_lock "$WORK/merged-ok.h5" "merge"

# ---- odd -o paths ---------------------------------------------------------------------------
mkdir "$WORK/adir"
refused "directory -o" "$WORK/adir: is a directory" 2 run "$GOOD" --samples 100 -o "$WORK/adir" --force
refused "trailing slash" "ends in '/'" 2 run "$GOOD" --samples 100 -o "$WORK/newdir/" --force
[ ! -e "$WORK/newdir" ] || fail "trailing slash: a directory was created"
mkfifo "$WORK/fifo.h5"
refused "FIFO -o" "is a FIFO (named pipe)" 2 run "$GOOD" --samples 100 -o "$WORK/fifo.h5" --force
[ -p "$WORK/fifo.h5" ] || fail "the FIFO was replaced"
refused "merge into a FIFO" "is a FIFO" \
    0 merge "$GOOD" --samples 100 "$WORK/p0.h5" "$WORK/p1.h5" -o "$WORK/fifo.h5" --force
if mknod "$WORK/null.h5" c 1 3 2>/dev/null; then
    refused "character device -o" "is a character device" 2 run "$GOOD" --samples 100 -o "$WORK/null.h5" --force
    [ -c "$WORK/null.h5" ] || fail "the device node was replaced"
else
    echo "device check with mknod not run (not permitted here)"
fi
refused "/dev/null as -o" "is a character device" 1 run "$GOOD" --samples 100 -o /dev/null
[ ! -e /dev/null.partial ] && [ ! -e /dev/null.lock ] || fail "files created beside /dev/null"
[ -z "$(find "$WORK" -maxdepth 1 -name '*.lock*' -type f)" ] || fail "refusals left locks: $(find "$WORK" -name '*.lock*' -type f)"

# ---- two runs on one output, started together ----------------------------------------------
chiprace_mpi 1 1 run "${FLAG[@]}" "${LONG[@]}" -o "$WORK/ref.h5" 2>/dev/null || fail "reference run"
out="$WORK/race.h5"
chiprace_mpi 2 1 run "${FLAG[@]}" "${LONG[@]}" -o "$out" 2>"$WORK/a.err" &
A=$!
chiprace_mpi 2 1 run "${FLAG[@]}" "${LONG[@]}" -o "$out" 2>"$WORK/b.err" &
B=$!
rc_a=0; wait $A || rc_a=$?
rc_b=0; wait $B || rc_b=$?
echo "concurrent runs: exit codes $rc_a and $rc_b"
if [ "$rc_a" = 0 ] && [ "$rc_b" = 2 ]; then loser=$WORK/b.err
elif [ "$rc_a" = 2 ] && [ "$rc_b" = 0 ]; then loser=$WORK/a.err
else cat "$WORK/a.err" "$WORK/b.err"; fail "concurrent runs: exit codes $rc_a and $rc_b, not 0 and 2"; fi
grep -q "$out.lock is held by a live run: pid [0-9]* on host $(hostname), started .*chiprace run" "$loser" \
    || { cat "$loser"; fail "the refused run does not name the holder"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ref.h5" "$out"
no_lock "$out" "concurrent runs"

# --force does not override a live lock; the holder is unharmed.
out="$WORK/forced.h5"
chiprace_mpi 2 1 run "${FLAG[@]}" "${LONG[@]}" -o "$out" 2>"$WORK/a.err" &
A=$!
for _ in $(seq 1 600); do [ -e "$out.lock" ] && break; sleep 0.01; done
[ -e "$out.lock" ] || fail "no lock while a run is under way"
grep -q "^pid=" "$out.lock" && grep -q "^host=$(hostname)$" "$out.lock" && grep -q "^command=.*chiprace run" "$out.lock" \
    || { cat "$out.lock"; fail "the lock does not describe its holder"; }
refused "--force over a live lock" "held by a live run: pid" \
    1 run "${FLAG[@]}" "${LONG[@]}" -o "$out" --force --break-lock
wait $A || { cat "$WORK/a.err"; fail "the holder failed after a refused --force"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ref.h5" "$out"
no_lock "$out" "--force over a live lock"

# ---- stale locks ----------------------------------------------------------------------------
# write_lock OUT HOST PID: a lock as another run leaves it.
write_lock() {
    printf 'host=%s\npid=%s\npid_start=1\nboot_id=%s\nslurm_job=\nslurm_restart=\nstarted_utc=2026-01-01T00:00:00Z\ncommand=chiprace run old\nchiprace_version=0\ntoken=feedface\n' \
        "$2" "$3" "$(cat /proc/sys/kernel/random/boot_id)" >"$1.lock"
}
# A dead pid on this host: taken over with a warning naming it.
sleep 0 & dead=$!; wait $dead
write_lock "$WORK/dead.h5" "$(hostname)" "$dead"
chiprace_mpi 2 1 run "$GOOD" --samples 100 -o "$WORK/dead.h5" 2>"$WORK/err" || { cat "$WORK/err"; fail "dead holder"; }
grep -q "warning: $WORK/dead.h5.lock was left by pid $dead on host $(hostname).*no longer running); taking it over" "$WORK/err" \
    || { cat "$WORK/err"; fail "taking over a dead holder's lock is not explained"; }
no_lock "$WORK/dead.h5" "dead holder"
# A live pid whose start time differs: the pid was reused, the holder is dead.
write_lock "$WORK/reused.h5" "$(hostname)" 1
chiprace_mpi 1 1 run "$GOOD" --samples 100 -o "$WORK/reused.h5" 2>"$WORK/err" || { cat "$WORK/err"; fail "reused pid"; }
grep -q "pid now belongs to another process" "$WORK/err" || { cat "$WORK/err"; fail "reused pid not explained"; }
# Another host: refused however old, unless --break-lock and no heartbeat for 10 minutes.
write_lock "$WORK/far.h5" other-node 4242
refused "another host's lock" "held by pid 4242 on host other-node, started 2026-01-01T00:00:00Z: chiprace run old; its heartbeat is [0-9]* s old.*looks alive" \
    2 run "$GOOD" --samples 100 -o "$WORK/far.h5" --force
refused "--break-lock on a fresh heartbeat" "looks alive" \
    2 run "$GOOD" --samples 100 -o "$WORK/far.h5" --break-lock
touch -d '-11 minutes' "$WORK/far.h5.lock"
refused "an old lock without --break-lock" "take the lock over with --break-lock" \
    2 run "$GOOD" --samples 100 -o "$WORK/far.h5"
grep -q "^host=other-node$" "$WORK/far.h5.lock" || fail "a refused run changed another host's lock"
chiprace_mpi 2 1 run "$GOOD" --samples 100 -o "$WORK/far.h5" --break-lock 2>"$WORK/err" || { cat "$WORK/err"; fail "--break-lock"; }
grep -q "warning: .*far.h5.lock was left by pid 4242 on host other-node.*no heartbeat for 11 min, --break-lock" "$WORK/err" \
    || { cat "$WORK/err"; fail "--break-lock takeover not explained"; }
no_lock "$WORK/far.h5" "--break-lock"

# A requeued Slurm job (same job id, a higher SLURM_RESTART_COUNT) takes over its earlier
# incarnation's lock on another node; the same incarnation's is not taken (one job id may run
# several steps at once).
write_lock "$WORK/requeued.h5" other-node 4242
sed -i 's/^slurm_job=$/slurm_job=777/' "$WORK/requeued.h5.lock"
cp "$WORK/requeued.h5.lock" "$WORK/samejob.h5.lock"
SLURM_JOB_ID=777 SLURM_RESTART_COUNT=1 "$CHIPRACE" run "$GOOD" --samples 100 -o "$WORK/requeued.h5" 2>"$WORK/err" \
    || { cat "$WORK/err"; fail "requeued job"; }
grep -q "an earlier run of this requeued Slurm job, restart 0); taking it over" "$WORK/err" \
    || { cat "$WORK/err"; fail "requeued job: takeover not explained"; }
no_lock "$WORK/requeued.h5" "requeued job"
rc=0; SLURM_JOB_ID=777 "$CHIPRACE" run "$GOOD" --samples 100 -o "$WORK/samejob.h5" 2>"$WORK/err" || rc=$?
[ "$rc" = 2 ] && grep -q "held by pid 4242 on host other-node (Slurm job 777)" "$WORK/err" \
    || { cat "$WORK/err"; fail "same Slurm job and restart: exit $rc, not refused"; }

# ---- no lock outlives a run ------------------------------------------------------------------
# failure (exit 1 on 2 ranks: the job is aborted after rank 0 released the lock)
rc=0; chiprace_mpi 2 1 run "${FLAG[@]}" --samples 500 --set 'parameters.algo_progress={dist="fixed", value=0.3}' \
    --set output.on_nonfinite=error -o "$WORK/fail.h5" 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/err"; fail "failure: exit $rc, not 1"; }
no_lock "$WORK/fail.h5" "failure"
# refusal after the lock was taken (an existing result)
refused "existing result" "exists; pass --force" 2 run "$GOOD" --samples 100 -o "$WORK/dead.h5"
no_lock "$WORK/dead.h5" "refusal"
# SIGTERM: exit 3 and no lock; --resume takes the lock again and finishes
out="$WORK/term.h5"
OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS \
    "$CHIPRACE" run "${FLAG[@]}" "${LONG[@]}" --checkpoint-every 0.05 -o "$out" 2>"$WORK/err" &
A=$!
for _ in $(seq 1 600); do [ -e "$out.checkpoint" ] && break; sleep 0.01; done
[ -e "$out.checkpoint" ] || fail "SIGTERM: no checkpoint"
kill -TERM $(pgrep -P $A)
rc=0; wait $A || rc=$?
[ "$rc" = 3 ] || { cat "$WORK/err"; fail "SIGTERM: exit $rc, not 3"; }
no_lock "$out" "SIGTERM"
chiprace_mpi 2 1 run "${FLAG[@]}" "${LONG[@]}" -o "$out" --resume 2>"$WORK/err" || { cat "$WORK/err"; fail "resume"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ref.h5" "$out"
no_lock "$out" "resume"
echo "output safety: all checks passed"
