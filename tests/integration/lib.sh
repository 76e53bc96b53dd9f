# Shared set-up of the integration tests: ctest passes CHIPRACE, MPIEXEC, PYTHON, SOURCE_DIR.
set -euo pipefail
: "${CHIPRACE:?}" "${MPIEXEC:?}" "${PYTHON:?}" "${SOURCE_DIR:?}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's shared-memory transport warns about a missing /dev/shm in some sandboxes.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chiprace-it.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# chiprace_mpi RANKS THREADS ARGS...: the binary under mpiexec with THREADS OpenMP threads
# per rank (no core binding, so threads can spread).
chiprace_mpi() {
    local ranks=$1 threads=$2
    shift 2
    OMP_NUM_THREADS=$threads "$MPIEXEC" -n "$ranks" --oversubscribe --bind-to none \
        -x OMP_NUM_THREADS "$CHIPRACE" "$@"
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# wait_for_ledger OUT: until the first checkpoint of the run in the background (RUN_PID, its
# stderr in $WORK/log) exists, i.e. the run is under way.
wait_for_ledger() {
    for _ in $(seq 1 600); do
        [ -e "$1.checkpoint" ] && return 0
        kill -0 "$RUN_PID" 2>/dev/null || { cat "$WORK/log"; fail "run ended before a checkpoint"; }
        sleep 0.01
    done
    fail "no checkpoint after 6 s"
}
