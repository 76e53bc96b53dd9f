# Job arrays (issue 7): slurm/array.sbatch runs --part i/4 as the 4 tasks of an array,
# slurm/merge.sbatch (submitted with --dependency=afterok on the array) combines the parts into
# the file a single run writes (raw rows, so the parts' .rows files are merged too); an array
# task whose part exists already skips it; an interrupted part resumes when its task is submitted
# again; sweep.sbatch runs one line of a list file per task.
source "$(dirname "$0")/lib.sh"

EXP=$EXPERIMENTS/policy_comparison.toml
ARGS=(--samples 20000 --set output.store=raw --set 'experiment.policies=["diffusion_rule", "anthropic"]')

chiprace_mpi 1 1 run "$EXP" "${ARGS[@]}" -o ref.h5 2>/dev/null || fail "reference run"
say "reference written"

# The array and the merge behind it; the run options merge does not take are dropped.
array=$(submit --array=0-3 -o job-%A_%a.out "$SLURM_DIR/array.sbatch" "$EXP" parts/x "${ARGS[@]}" --checkpoint-every 5)
merge=$(submit --dependency="afterok:$array" -o merge-%j.out "$SLURM_DIR/merge.sbatch" "$EXP" parts/x "${ARGS[@]}" --checkpoint-every 5)
say "array job $array, merge job $merge submitted"
for i in 0 1 2 3; do
    wait_job "${array}_$i" 120 >/dev/null
    expect_job "${array}_$i" COMPLETED 0 "job-${array}_$i.out"
    grep -q "part $i of 4" "job-${array}_$i.out" || { cat "job-${array}_$i.out"; fail "task $i: not part $i of 4"; }
done
say "array: 4 parts written"
wait_job "$merge" 120 >/dev/null
expect_job "$merge" COMPLETED 0 "merge-$merge.out"
say "merge job $merge completed"
for i in 0 1 2 3; do [ -e "parts/x.part$i.h5" ] || fail "no part file parts/x.part$i.h5"; done
"${COMPARE[@]}" ref.h5 parts/x.h5

# Submitting a task again: its part exists, so it is skipped (exit 0) without running.
again=$(CHIPRACE_PARTS=4 submit --array=2 -o job-%A_%a.out "$SLURM_DIR/array.sbatch" "$EXP" parts/x "${ARGS[@]}")
wait_job "${again}_2" 60 >/dev/null
expect_job "${again}_2" COMPLETED 0 "job-${again}_2.out"
grep -q "part 2 of 4: parts/x.part2.h5 exists already: skipped" "job-${again}_2.out" ||
    { cat "job-${again}_2.out"; fail "an existing part was not skipped"; }
# Array ids that are not 0..N-1 without CHIPRACE_PARTS: refused with exit code 2.
bad=$(submit --array=1-2 -o job-%A_%a.out "$SLURM_DIR/array.sbatch" "$EXP" parts/y "${ARGS[@]}")
wait_job "${bad}_1" 60 >/dev/null
expect_job "${bad}_1" FAILED 2 "job-${bad}_1.out"
say "existing part skipped; array ids 1-2 refused"

# An interrupted part (SIGUSR1 to its batch shell): exit 3; submitting that task again with
# CHIPRACE_PARTS resumes it; the merge of both parts equals a single run.
ARGS2=(--samples 2000000 --set output.store=summary --set 'experiment.policies=["diffusion_rule", "anthropic"]'
       --round-memory 4 --checkpoint-every 0.2)
chiprace_mpi 2 1 run "$EXP" "${ARGS2[@]}" -o ref2.h5 2>/dev/null || fail "reference run 2"
array=$(submit --array=0-1 -o job-%A_%a.out "$SLURM_DIR/array.sbatch" "$EXP" p2/y "${ARGS2[@]}")
for _ in $(seq 1 600); do
    [ -e p2/y.part1.h5.checkpoint ] && break
    [ "$(job_field "${array}_1" JobState)" = COMPLETED ] && fail "part 1 ended before a checkpoint"
    sleep 0.1
done
[ -e p2/y.part1.h5.checkpoint ] || fail "part 1: no checkpoint p2/y.part1.h5.checkpoint after 60 s"
scancel --batch --signal=USR1 "${array}_1"
wait_job "${array}_1" 60 >/dev/null
expect_job "${array}_1" FAILED 3 "job-${array}_1.out"
grep -q "Continue it with CHIPRACE_PARTS=2 sbatch --array=1 " "job-${array}_1.out" ||
    { cat "job-${array}_1.out"; fail "no hint how to continue the part"; }
wait_job "${array}_0" 120 >/dev/null
expect_job "${array}_0" COMPLETED 0 "job-${array}_0.out"
say "array $array: part 1 interrupted (exit 3), part 0 complete"
again=$(CHIPRACE_PARTS=2 submit --array=1 -o job-%A_%a.out "$SLURM_DIR/array.sbatch" "$EXP" p2/y "${ARGS2[@]}")
merge=$(submit --dependency="afterok:$again" -o merge-%j.out "$SLURM_DIR/merge.sbatch" "$EXP" p2/y "${ARGS2[@]}")
wait_job "${again}_1" 120 >/dev/null
expect_job "${again}_1" COMPLETED 0 "job-${again}_1.out"
grep -q "found p2/y.part1.h5.checkpoint: continuing the interrupted part (--resume)" "job-${again}_1.out" ||
    { cat "job-${again}_1.out"; fail "part 1 did not resume"; }
wait_job "$merge" 120 >/dev/null
expect_job "$merge" COMPLETED 0 "merge-$merge.out"
"${COMPARE[@]}" ref2.h5 p2/y.h5
say "part 1 resumed in job ${again}_1, merged: identical"

# A sweep: one run per list line (quoted options, comments and blank lines skipped).
cat >list.txt <<EOF
# experiment output options
$EXPERIMENTS/policy_comparison.toml sweep/a.h5 --samples 5000 --set 'experiment.policies=["diffusion_rule", "anthropic"]'

$EXPERIMENTS/ishigami.toml "sweep/b c.h5" --samples 4000
EOF
sweep=$(submit --array=0-1 -o sweep-%A_%a.out "$SLURM_DIR/sweep.sbatch" list.txt --set output.store=summary)
for i in 0 1; do
    wait_job "${sweep}_$i" 60 >/dev/null
    expect_job "${sweep}_$i" COMPLETED 0 "sweep-${sweep}_$i.out"
done
chiprace_mpi 1 1 run "$EXPERIMENTS/ishigami.toml" --samples 4000 --set output.store=summary -o b.h5 2>/dev/null || fail "ishigami reference"
"${COMPARE[@]}" b.h5 "sweep/b c.h5"
[ "$(root_attr sweep/a.h5 slurm_array_task_id)" = 0 ] || fail "sweep/a.h5: slurm_array_task_id '$(root_attr sweep/a.h5 slurm_array_task_id)'"
say "sweep: 2 runs from a list file"
echo "slurm array_merge: all checks passed in $(elapsed) s"
