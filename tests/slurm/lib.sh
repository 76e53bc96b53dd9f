# Shared set-up of the Slurm tests (issue 7): the integration tests' environment (CHIPRACE,
# MPIEXEC, PYTHON, SOURCE_DIR, a scratch directory WORK) plus SLURM_CONF of the local cluster
# that the ctest fixture "slurm: start cluster" started with slurm/local-cluster.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
: "${SLURM_CONF:?the Slurm tests need SLURM_CONF (set by tests/CMakeLists.txt)}"
export CHIPRACE SLURM_CONF
SLURM_DIR=$SOURCE_DIR/slurm
EXPERIMENTS=$SOURCE_DIR/experiments
COMPARE=("$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py")
T0=$(date +%s%N)
cd "$WORK"

# Jobs this test submitted: cancelled when it ends, so nothing outlives a failed test.
JOBS=()
cleanup() {
    ((${#JOBS[@]} == 0)) || scancel "${JOBS[@]}" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

sinfo -h >/dev/null 2>&1 || fail "no Slurm cluster at SLURM_CONF=$SLURM_CONF (the fixture test 'slurm: start cluster' starts it)"

# elapsed: seconds since the test started.
elapsed() { local ms=$((($(date +%s%N) - T0) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
say() { echo "[$(elapsed) s] $*"; }

# submit SBATCH_ARGS...: sbatch --parsable; prints the job id, remembers it for cleanup.
submit() {
    local id
    id=$(sbatch --parsable "$@") || fail "sbatch $* failed"
    id=${id%%;*}
    JOBS+=("$id")
    echo "$id"
}

# job_field ID NAME: a field of `scontrol -o show job ID` (first job of an array: use ID_TASK).
job_field() { scontrol -o show job "$1" 2>/dev/null | grep -o " $2=[^ ]*" | head -n1 | cut -d= -f2-; }

# wait_job ID SECONDS: polls until the job has ended (much faster than sbatch --wait);
# prints its state. Fails after SECONDS.
wait_job() {
    local id=$1 deadline=$(($(date +%s) + $2)) state
    while (($(date +%s) < deadline)); do
        state=$(job_field "$id" JobState)
        case $state in
        COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED)
            echo "$state"
            return 0
            ;;
        esac
        sleep 0.2
    done
    scontrol show job "$id" >&2 || true
    fail "job $id still ${state:-unknown} after $2 s"
}

# exit_code ID: the job's exit code (the batch script's), from ExitCode=code:signal.
exit_code() { job_field "$1" ExitCode | cut -d: -f1; }

# expect_job ID STATE CODE LOG: the job ended in STATE with exit code CODE, else show LOG.
expect_job() {
    local state code
    state=$(job_field "$1" JobState)
    code=$(exit_code "$1")
    if [[ $state != "$2" || $code != "$3" ]]; then
        echo "---- $4" >&2
        cat "$4" >&2 || true
        fail "job $1: $state with exit code $code, expected $2 with $3"
    fi
}

# root_attr FILE NAME: a root attribute of a result file (empty when missing).
root_attr() {
    "$PYTHON" -c '
import sys, h5py
v = h5py.File(sys.argv[1], "r").attrs.get(sys.argv[2], "")
print(v.decode() if isinstance(v, bytes) else v)' "$1" "$2"
}
