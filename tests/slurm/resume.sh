# Interrupted Slurm jobs (issue 7): SIGUSR1 to run.sbatch's batch shell (what --signal=B:USR1@120
# sends before the time limit) stops chiprace with exit code 3 and a checkpoint, and the job
# submits a follow-up job that resumes it; SIGTERM to the batch shell stops it the same way
# without a follow-up, and submitting the same command again continues it (no follow-up when
# it is stopped after a few seconds). The final file equals an uninterrupted run's.
source "$(dirname "$0")/lib.sh"

EXP=$EXPERIMENTS/policy_comparison.toml
# Two policies: ~8x faster per sample than all six with contrasts; small rounds (4 MB per rank):
# checkpoints and stops come a fraction of a second apart.
ARGS=(--samples 600000 --set output.store=summary --set 'experiment.policies=["diffusion_rule", "anthropic"]'
      --round-memory 4 --checkpoint-every 0.2)

chiprace_mpi 2 1 run "$EXP" "${ARGS[@]}" -o ref.h5 2>/dev/null || fail "reference run"
say "reference written"

# wait_for_checkpoint JOB SINCE: until the job's run has written a checkpoint newer than the
# file SINCE (the job must still be running).
wait_for_checkpoint() {
    local jid=$1 since=$2
    for _ in $(seq 1 600); do
        if [ -e out.h5.checkpoint ] && [ out.h5.checkpoint -nt "$since" ]; then return 0; fi
        case $(job_field "$jid" JobState) in
        PENDING | RUNNING | CONFIGURING) ;;
        *) cat "job-$jid.out"; fail "job $jid ended before a checkpoint" ;;
        esac
        sleep 0.1
    done
    cat "job-$jid.out"
    fail "job $jid: no checkpoint after 60 s"
}

# 1. SIGUSR1 to the batch shell: exit code 3, a follow-up job.
touch start
# CHIPRACE_MIN_SECONDS=0: a follow-up even though chiprace ran for a second only.
first=$(CHIPRACE_MIN_SECONDS=0 submit -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" out.h5 "${ARGS[@]}")
jid=$first
wait_for_checkpoint "$jid" start
scancel --batch --signal=USR1 "$jid"
say "job $jid: checkpoint written, SIGUSR1 sent to the batch shell"
wait_job "$jid" 60 >/dev/null
expect_job "$jid" FAILED 3 "job-$jid.out"
grep -q "received SIGUSR1" "job-$jid.out" && grep -q "chiprace: SIGUSR1: stopped" "job-$jid.out" ||
    { cat "job-$jid.out"; fail "the signal did not reach chiprace"; }
next=$(sed -n 's/.*resubmitted: follow-up job \([0-9]*\) .*/\1/p' "job-$jid.out")
[ -n "$next" ] || { cat "job-$jid.out"; fail "job $jid exited 3 but submitted no follow-up job"; }
JOBS+=("$next")
[ -e out.h5.checkpoint ] && [ ! -e out.h5 ] || fail "expected a checkpoint and no result after job $jid"
say "job $jid: exit code 3; follow-up job $next"
[ "$(job_field "$next" Dependency)" = "afterany:$jid(unfulfilled)" ] ||
    [ "$(job_field "$next" Dependency)" = "(null)" ] || fail "job $next: dependency $(job_field "$next" Dependency)"

# 2. The follow-up resumes; SIGTERM to its batch shell stops it without another follow-up.
touch resumed
wait_for_checkpoint "$next" resumed
grep -q "found out.h5.checkpoint: continuing the interrupted run (--resume)" "job-$next.out" ||
    { cat "job-$next.out"; fail "job $next did not resume"; }
scancel --batch --signal=TERM "$next"
say "job $next: resumed, checkpoint written, SIGTERM sent to the batch shell"
wait_job "$next" 60 >/dev/null
expect_job "$next" FAILED 3 "job-$next.out"
grep -q "no follow-up job" "job-$next.out" && ! grep -q "resubmitted" "job-$next.out" ||
    { cat "job-$next.out"; fail "SIGTERM: expected no follow-up job"; }
[ -e out.h5.checkpoint ] || fail "no checkpoint after job $next"

# 3. The same sbatch command continues the run (--resume added by the script). Stopped
# again at once: no follow-up, as chiprace ran for less than CHIPRACE_MIN_SECONDS (60 s).
touch third
jid=$(submit -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" out.h5 "${ARGS[@]}")
wait_for_checkpoint "$jid" third
scancel --batch --signal=USR1 "$jid"
wait_job "$jid" 60 >/dev/null
expect_job "$jid" FAILED 3 "job-$jid.out"
grep -q "not resubmitting: chiprace ran only" "job-$jid.out" && ! grep -q "resubmitted" "job-$jid.out" ||
    { cat "job-$jid.out"; fail "a job stopped after a few seconds was resubmitted"; }
say "job $jid: resumed, stopped at once: no follow-up job (CHIPRACE_MIN_SECONDS)"

# 4. Once more: the run goes on to the end.
jid=$(submit -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" out.h5 "${ARGS[@]}")
wait_job "$jid" 180 >/dev/null
expect_job "$jid" COMPLETED 0 "job-$jid.out"
grep -q -- "--resume" "job-$jid.out" || { cat "job-$jid.out"; fail "job $jid did not resume"; }
say "job $jid: resumed and completed"
[ ! -e out.h5.checkpoint ] && [ ! -e out.h5.partial ] || fail "the checkpoint or the partial file outlived the run"
"${COMPARE[@]}" ref.h5 out.h5
# The file keeps the provenance of the run's first job (the one that created out.h5.partial).
id=$(root_attr out.h5 slurm_job_id)
[ "$id" = "$first" ] || [ "$id" = "$jid" ] || fail "slurm_job_id '$id', not $first (first job) or $jid (last)"
echo "slurm resume: all checks passed in $(elapsed) s"
