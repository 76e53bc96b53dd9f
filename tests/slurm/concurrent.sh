# Two Slurm jobs with the same -o (issue 14, point 1): released together, exactly one proceeds
# and writes the result a direct run writes; the other exits 2 and its log names the holder's
# job id; no lock is left.
source "$(dirname "$0")/lib.sh"

EXP=$EXPERIMENTS/policy_comparison.toml
ARGS=(--samples 600000 --set output.store=summary)

chiprace_mpi 1 1 run "$EXP" "${ARGS[@]}" -o ref.h5 2>/dev/null || fail "reference run"
say "reference written"

# Held at submission and released together, so that both start at the same time.
a=$(submit --hold -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" same.h5 "${ARGS[@]}")
b=$(submit --hold -o job-%j.out "$SLURM_DIR/run.sbatch" "$EXP" same.h5 "${ARGS[@]}")
scontrol release "$a,$b"
wait_job "$a" 300 >/dev/null
wait_job "$b" 300 >/dev/null
code_a=$(exit_code "$a")
code_b=$(exit_code "$b")
say "jobs $a and $b ended with exit codes $code_a and $code_b"
if [[ $code_a == 0 && $code_b == 2 ]]; then winner=$a loser=$b
elif [[ $code_a == 2 && $code_b == 0 ]]; then winner=$b loser=$a
else
    cat "job-$a.out" "job-$b.out" >&2
    fail "exit codes $code_a and $code_b, not 0 and 2"
fi
grep -q "same.h5.lock is held by a live run: pid [0-9]* on host [^ ]* (Slurm job $winner)" "job-$loser.out" \
    || { cat "job-$loser.out"; fail "the refused job does not name the holder's job id $winner"; }
grep -q "resubmitted" "job-$loser.out" && fail "the refused job was resubmitted"
"${COMPARE[@]}" ref.h5 same.h5
[ "$(root_attr same.h5 slurm_job_id)" = "$winner" ] || fail "the result is not the winner's"
[ ! -e same.h5.lock ] || fail "a lock was left behind"
say "job $winner proceeded, job $loser was refused naming it:"
grep "chiprace: error:" "job-$loser.out"
echo "slurm concurrent: all checks passed in $(elapsed) s"
