# slurm/run.sbatch on the local Slurm cluster: `sbatch --wait` returns chiprace's exit code,
# the result equals a direct run's and records the job id; --cpus-per-task becomes OpenMP
# threads in the job's srun; bad input gives exit code 2 and a missing binary a clear message.
source "$(dirname "$0")/lib.sh"

EXP=$EXPERIMENTS/policy_comparison.toml
ARGS=(--samples 20000 --set output.store=summary)

chiprace_mpi 1 1 run "$EXP" "${ARGS[@]}" -o ref.h5 2>/dev/null || fail "reference run"
say "reference written"

# sbatch --wait: its exit code is the job's, which is chiprace's.
set +e
out=$(sbatch --wait -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" out.h5 "${ARGS[@]}")
code=$?
set -e
jid=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' <<<"$out")
JOBS+=("$jid")
[ "$code" = 0 ] || { cat "job-$jid.out"; fail "sbatch --wait: exit code $code"; }
say "job $jid: sbatch --wait returned 0"
grep -q "run.sbatch: job $jid: 2 rank(s) x 1 thread(s)" "job-$jid.out" || { cat "job-$jid.out"; fail "log line"; }
"${COMPARE[@]}" ref.h5 out.h5
[ "$(root_attr out.h5 slurm_job_id)" = "$jid" ] || fail "slurm_job_id is '$(root_attr out.h5 slurm_job_id)', not $jid"
[ "$(root_attr out.h5 mpi_ranks)" = 2 ] || fail "mpi_ranks $(root_attr out.h5 mpi_ranks)"

# One rank with two CPUs: two OpenMP threads (SRUN_CPUS_PER_TASK reaches srun); same datasets.
jid=$(submit --ntasks=1 --cpus-per-task=2 -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" threads.h5 "${ARGS[@]}")
wait_job "$jid" 120 >/dev/null
expect_job "$jid" COMPLETED 0 "job-$jid.out"
[ "$(root_attr threads.h5 omp_threads)" = 2 ] && [ "$(root_attr threads.h5 mpi_ranks)" = 1 ] ||
    fail "1 rank x 2 CPUs ran as $(root_attr threads.h5 mpi_ranks) rank(s) x $(root_attr threads.h5 omp_threads) thread(s)"
"${COMPARE[@]}" ref.h5 threads.h5
say "job $jid: 1 rank x 2 threads, identical"

# Bad input: exit code 2 (chiprace's), and no follow-up job.
jid=$(submit -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXPERIMENTS/no-such-file.toml" bad.h5)
wait_job "$jid" 60 >/dev/null
expect_job "$jid" FAILED 2 "job-$jid.out"
grep -q "resubmitted" "job-$jid.out" && fail "a job with bad input was resubmitted"
# A missing binary: exit code 2 with a hint.
jid=$(CHIPRACE=/nonexistent/chiprace submit -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" bad.h5)
wait_job "$jid" 60 >/dev/null
expect_job "$jid" FAILED 2 "job-$jid.out"
grep -q "chiprace binary '/nonexistent/chiprace' not found" "job-$jid.out" || { cat "job-$jid.out"; fail "no hint"; }
say "bad input and a missing binary: exit code 2"
echo "slurm run_job: all checks passed in $(elapsed) s"
