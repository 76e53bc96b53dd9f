# The fault matrix (issue 14): every phase of a run x five faults. Each cell starts a 2-rank raw
# run with contrasts and Sobol' sums, injects the fault at the phase (CHIPRACE_FAULT, honoured
# by builds with CHIPRACE_FAULT_INJECTION=ON), then checks that the run ends in one of three
# documented ways, the one the table below expects for that cell:
#   completed  the faulted run itself finished (exit 0) with the uninterrupted run's file;
#   resumed    it stopped (exit 1 or 3, or killed) and `--resume` on 1 rank finishes the file;
#   restarted  it stopped before any ledger existed: `--resume` says there is nothing to resume
#              (exit 2) and a plain `run` (no --force needed) writes the file.
# In every cell the final file equals an uninterrupted run's, dataset by dataset, and no process
# crashed (no sanitizer report, no segmentation fault). Faults:
#   sigterm   SIGTERM on a rank (Slurm's time limit, scancel)
#   sigterm2  two SIGTERMs: the second ends the process at once
#   kill      SIGKILL of one rank (rank 1 while every rank computes, else rank 0, the writer)
#   launcher  SIGKILL of mpiexec while rank 0 waits at the phase
#   enospc    the file system fills up at the phase (a tmpfs; needs root to mount it, else the
#             column is skipped with a message and the others still run)
source "$(dirname "$0")/lib.sh"

"$CHIPRACE" --version | grep -q "fault injection: on" \
    || fail "this build ignores CHIPRACE_FAULT: configure with -DCHIPRACE_FAULT_INJECTION=ON (presets ci, dev)"

EXP=("$SOURCE_DIR/experiments/sensitivity.toml" --samples 64 --set experiment.block_size=43
     --set output.store=raw --round-memory 0.01)
# A ledger after every round, until writing them would cost more than the documented share.
FAULTED=(--checkpoint-every 0.000001)

FS="$WORK/fs"
mkdir -p "$FS"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64m chiprace-faults "$FS" 2>/dev/null; then
    trap 'umount "$FS" 2>/dev/null; rm -rf "$WORK"' EXIT
    HAVE_TMPFS=1
else
    HAVE_TMPFS=0
fi

chiprace_mpi 1 1 run "${EXP[@]}" -o "$WORK/reference.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "reference run"; }

# expected PHASE FAULT: the outcome the documentation promises for the cell.
expected() {
    case "$1:$2" in
        start:sigterm) echo resumed ;;
        start:*) echo restarted ;;
        # A SIGTERM during the second ledger stops the run, unless that ledger was already the
        # final one (the clock stretches the interval): then the run completes.
        ledger:sigterm | ledger-rename:sigterm) echo "resumed|completed" ;;
        rounds:* | ledger:* | ledger-rename:*) echo resumed ;;
        *:sigterm) echo completed ;; # after the last round a SIGTERM lets the run finish
        flush:enospc | rename:enospc | cleanup:enospc) echo completed ;; # nothing left to write
        *) echo resumed ;;
    esac
}

# The phases where every rank takes part; elsewhere only rank 0 works.
all_ranks() { [ "$1" = start ] || [ "$1" = rounds ]; }

crashed() { grep -qE "AddressSanitizer|runtime error:|Segmentation fault|core dumped|terminate called" "$1"; }

TABLE="$WORK/table"
printf '%-14s %-10s %-10s %-10s %-10s %-10s\n' phase sigterm sigterm2 kill launcher enospc >"$TABLE"
failures=0
for phase in ${FAULT_MATRIX_PHASES:-start rounds ledger ledger-rename summaries contrasts sensitivity flush rename cleanup}; do
    row=$(printf '%-14s' "$phase")
    for fault in ${FAULT_MATRIX_FAULTS:-sigterm sigterm2 kill launcher enospc}; do
        if [ "$fault" = enospc ] && [ "$HAVE_TMPFS" = 0 ]; then
            row+=$(printf ' %-10s' "(no root)")
            continue
        fi
        dir="$FS/$phase-$fault"
        mkdir -p "$dir"
        out="$dir/result.h5"
        rank=0
        all_ranks "$phase" && [ "$fault" != enospc ] && [ "$fault" != launcher ] && rank=1
        count=1
        case "$phase" in rounds) count=3 ;; ledger | ledger-rename) count=2 ;; esac
        action=$fault
        [ "$fault" = launcher ] && action=pause
        log="$dir/log"
        OMP_NUM_THREADS=1 CHIPRACE_FAULT="$phase:$action:$rank:$count" "$MPIEXEC" -n 2 --oversubscribe \
            --bind-to none -x OMP_NUM_THREADS -x CHIPRACE_FAULT "$CHIPRACE" run "${EXP[@]}" \
            "${FAULTED[@]}" -o "$out" >"$log" 2>&1 &
        pid=$!
        if [ "$fault" = launcher ]; then
            marker="$out.fault-reached"
            [ "$phase" = ledger-rename ] && marker="$out.checkpoint.fault-reached"
            for _ in $(seq 1 600); do
                [ -e "$marker" ] && break
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
            done
            [ -e "$marker" ] || { cat "$log"; fail "$phase/$fault: the run never reached the phase"; }
            ranks=$(pgrep -P "$pid" || true)
            kill -9 "$pid"
            # The ranks lose their launcher and end; a batch system would kill them anyway.
            for _ in $(seq 1 100); do
                [ -z "$(ps -o pid= -p ${ranks:-0} 2>/dev/null)" ] && break
                sleep 0.05
            done
            [ -n "$ranks" ] && kill -9 $ranks 2>/dev/null || true
        fi
        # No cell may hang (a full disk once left the ranks waiting in mismatched collective
        # calls): a run still alive after two minutes fails the matrix.
        for _ in $(seq 1 1200); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -9 "$pid" $(pgrep -f -- "-o $out") 2>/dev/null || true
            cat "$log"
            fail "$phase/$fault: the faulted run hung (killed after 120 s)"
        fi
        set +e
        wait "$pid"
        code=$?
        set -e
        # mpiexec can return while a rank of the aborted job still lives (and holds OUT.lock).
        for _ in $(seq 1 200); do
            pgrep -f -- "-o $out" >/dev/null || break
            sleep 0.05
        done
        rm -f "$out".fault-* "$out".checkpoint.fault-*
        crashed "$log" && { cat "$log"; fail "$phase/$fault: the faulted run crashed"; }
        if [ "$fault" = enospc ] && [ "$code" != 0 ]; then
            grep -qi "^chiprace: error: .*no space left on device" "$log" \
                || { cat "$log"; fail "$phase/$fault: exit $code without saying the disk is full"; }
        fi
        outcome=
        if [ "$code" = 0 ]; then
            outcome=completed
        else
            [ -e "$out" ] && [ ! -e "$out.checkpoint" ] && { cat "$log"; fail "$phase/$fault: exit $code but a result"; }
            set +e
            chiprace_mpi 1 1 run "${EXP[@]}" -o "$out" --resume >"$dir/resume.log" 2>&1
            resumed=$?
            set -e
            crashed "$dir/resume.log" && { cat "$dir/resume.log"; fail "$phase/$fault: resume crashed"; }
            if [ "$resumed" = 0 ]; then
                outcome=resumed
            elif [ "$resumed" = 2 ] && grep -q "nothing to resume" "$dir/resume.log"; then
                chiprace_mpi 1 1 run "${EXP[@]}" -o "$out" >"$dir/restart.log" 2>&1 \
                    || { cat "$log" "$dir/restart.log"; fail "$phase/$fault: the run could not start over"; }
                outcome=restarted
            else
                cat "$log" "$dir/resume.log"
                fail "$phase/$fault: the faulted run exited $code and --resume $resumed"
            fi
        fi
        "$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/reference.h5" "$out" >"$dir/compare" \
            || { cat "$log" "$dir/compare"; fail "$phase/$fault ($outcome): the file differs from the reference"; }
        for leftover in "$out.partial" "$out.checkpoint" "$out.checkpoint.tmp"; do
            [ ! -e "$leftover" ] || fail "$phase/$fault ($outcome): $leftover was left behind"
        done
        want=$(expected "$phase" "$fault")
        if ! [[ "$outcome" =~ ^($want)$ ]]; then
            echo "$phase/$fault: $outcome, expected $want" >&2
            sed 's/^/    /' "$log" >&2
            failures=$((failures + 1))
            outcome="$outcome!"
        fi
        row+=$(printf ' %-10s' "$outcome")
        rm -rf "$dir"
    done
    echo "$row" >>"$TABLE"
done
cat "$TABLE"
[ "$failures" = 0 ] || fail "$failures cell(s) ended otherwise than documented"
[ "$HAVE_TMPFS" = 1 ] || echo "fault_matrix: the enospc column was skipped: it needs root (a tmpfs mount)"
echo "fault_matrix: all cells as documented"
