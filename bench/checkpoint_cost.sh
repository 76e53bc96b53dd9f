#!/usr/bin/env bash
# Checkpoint ledgers (issue 14, point 4): how big they are and what they cost, in one command:
#
#   bench/checkpoint_cost.sh      # from anywhere; prints Markdown tables on stdout
#
# 1. ledger size vs N and ranks: the flagship experiment (experiments/policy_comparison.toml)
#    run with --part 0/1, whose part file is the ledger of the whole run, for every N of
#    CKPT_N and every rank count of CKPT_RANKS; its datasets' sizes (h5py when available);
# 2. checkpoint overhead, side by side: the same run with --checkpoint-every 1 and with the
#    default (60 s), alternated (A B A B ...), CKPT_REPEATS times each, for every N and ranks
#    of the table; wall time of each, the share of the run the ledgers cost, and what the
#    progress line said about the stretched interval ("a ledger takes X s").
#
# Settings (environment, all optional):
#   CHIPRACE       the executable (default: build/release/chiprace, built as bench/run.sh does)
#   CKPT_N         sample counts (default "100000 1000000 10000000")
#   CKPT_RANKS     MPI rank counts (default "1 2"); threads per rank: OMP_NUM_THREADS, default
#                  nproc / ranks
#   CKPT_REPEATS   alternated pairs per (N, ranks) (default 1; the 1e7 runs take minutes)
#   BENCH_DIR      scratch directory (default: a new one under $TMPDIR or /tmp, removed at the end
#                  unless BENCH_KEEP=1)
# Progress and every single run go to stderr (and BENCH_DIR/checkpoint.log).

set -euo pipefail

die() { printf 'bench/checkpoint_cost.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf '%s\n' "$*" >&2; [[ -n "${LOG:-}" ]] && printf '%s\n' "$*" >>"$LOG"; return 0; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }
need mpiexec "install an MPI launcher (Debian: apt-get install openmpi-bin)"
need awk "awk is required"
need stat "coreutils stat is required"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (GNU time; Debian: apt-get install time)"
[[ -f experiments/policy_comparison.toml ]] || die "experiments/policy_comparison.toml missing"
if [[ "$(id -u)" == 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

NS="${CKPT_N:-100000 1000000 10000000}"
RANKS="${CKPT_RANKS:-1 2}"
REPEATS="${CKPT_REPEATS:-1}"

if [[ -z "${CHIPRACE:-}" ]]; then
    need cmake "install cmake (Debian: apt-get install cmake)"
    if [[ ! -f build/release/CMakeCache.txt ]]; then
        log "configuring: cmake --preset release"
        cmake --preset release >&2 || die "cmake --preset release failed"
    fi
    log "building: cmake --build --preset release --target chiprace_exe"
    cmake --build --preset release -j "$(nproc)" --target chiprace_exe >&2 \
        || die "build failed (cmake --build --preset release --target chiprace_exe)"
    CHIPRACE="$ROOT/build/release/chiprace"
fi
[[ -x "$CHIPRACE" ]] || die "$CHIPRACE not found or not executable"

if [[ -n "${BENCH_DIR:-}" ]]; then
    mkdir -p "$BENCH_DIR"; WORK="$(cd "$BENCH_DIR" && pwd)"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/chiprace-ckpt.XXXXXX")"
fi
LOG="$WORK/checkpoint.log"; : >"$LOG"
# A private copy: the build tree may be rebuilt while this runs.
cp "$CHIPRACE" "$WORK/chiprace" || die "cannot copy $CHIPRACE to $WORK"
CHIPRACE="$WORK/chiprace"
cleanup() {
    rm -f "$WORK"/*.h5 "$WORK"/*.h5.* "$WORK"/chiprace
    [[ "${BENCH_KEEP:-0}" == 1 || -n "${BENCH_DIR:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

EXP=experiments/policy_comparison.toml
CORES="$(nproc)"
calc() { awk "BEGIN {printf \"%.6g\", $*}"; }

launch() { # ranks: the mpiexec prefix
    local threads="${OMP_NUM_THREADS:-$(( CORES / $1 > 0 ? CORES / $1 : 1 ))}"
    echo env OMP_NUM_THREADS="$threads" mpiexec --oversubscribe -n "$1"
}

# ledger_parts FILE: "pieces MB, sketches MB" of a ledger (h5py), or "-" without it.
ledger_parts() {
    /usr/bin/python3 - "$1" 2>/dev/null <<'EOF' || echo "-"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    mb = lambda name: f[name].size * f[name].dtype.itemsize / 1e6
    print("pieces %.2f MB, sketches %.2f MB, config %.3f MB" % (
        mb("pieces"), mb("sketches"), len(f["config_resolved"][()]) / 1e6))
EOF
}

# timed LABEL cmd...: wall seconds of cmd; its stderr kept in WORK/LABEL.err
timed() {
    local label="$1"; shift
    /usr/bin/time -f '%e' -o "$WORK/$label.time" "$@" 2>"$WORK/$label.err" >/dev/null \
        || { cat "$WORK/$label.err" >&2; die "run failed: $*"; }
    cat "$WORK/$label.time"
}

log "checkpoint_cost: $("$CHIPRACE" --version 2>/dev/null | head -1), $CORES cores, in $WORK"
SIZES="| N | ranks | ledger (MB) | what is in it | write of the last ledger (s) |
|---|---|---|---|---|"
COSTS="| N | ranks | default (60 s) wall (s) | --checkpoint-every 1 wall (s) | difference | ledgers written, their time (share of the wall time) | what the progress line said last |
|---|---|---|---|---|---|---|"
for n in $NS; do
    for r in $RANKS; do
        read -ra L <<<"$(launch "$r")"
        # 1. the run, --checkpoint-every 1 vs the default, alternated.
        dflt=() one=() said="" ledgers=""
        for ((i = 0; i < REPEATS; i++)); do
            dflt+=("$(timed "default-$n-$r-$i" "${L[@]}" "$CHIPRACE" run "$EXP" --samples "$n" \
                -o "$WORK/run.h5" --force --progress-every 1)")
            one+=("$(timed "every1-$n-$r-$i" "${L[@]}" "$CHIPRACE" run "$EXP" --samples "$n" \
                -o "$WORK/run.h5" --force --progress-every 1 --checkpoint-every 1)")
            said="$(grep -o 'checkpoints every [^)]*)' "$WORK/every1-$n-$r-$i.err" | tail -1 || true)"
            log "    default ${dflt[-1]} s, --checkpoint-every 1 ${one[-1]} s; ${said:-interval not stretched}"
        done
        # 2. the ledger of the whole run: the part file of --part 0/1.
        timed "part-$n-$r" "${L[@]}" "$CHIPRACE" run "$EXP" --samples "$n" --part 0/1 \
            -o "$WORK/part.h5" --force --progress-every 1 >/dev/null
        bytes="$(stat -c %s "$WORK/part.h5")"
        parts="$(ledger_parts "$WORK/part.h5")"
        rm -f "$WORK/part.h5"
        log "  N=$n ranks=$r: ledger $bytes bytes ($parts)"
        d="$(printf '%s\n' "${dflt[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
        o="$(printf '%s\n' "${one[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
        # The ledgers' own time: each stretched ledger's cost is told in the progress lines that
        # follow it (--progress-every 1, ledgers tens of seconds apart), so the distinct
        # consecutive notes are the ledgers; a difference of wall times on this
        # shared machine is mostly other processes' noise.
        own="$(grep -o 'a ledger takes [0-9.]* s' "$WORK/every1-$n-$r-$((REPEATS - 1)).err" \
            | uniq | awk -v w="$o" '{n++; t += $4} END {printf "%d, %.2f s (%.2f%%)", n, t, 100 * t / w}')"
        take="$(grep -o 'a ledger takes [0-9.]* s' "$WORK/every1-$n-$r-$((REPEATS - 1)).err" \
            | tail -1 | awk '{print $4}' || true)"
        SIZES+="
| $n | $r | $(calc "$bytes / 1e6") | $parts | ${take:-< 0.05 (never stretched)} |"
        COSTS+="
| $n | $r | $d | $o | $(calc "100 * ($o - $d) / $d")% | $own | ${said:-interval not stretched} |"
    done
done
printf '%s\n\n%s\n' "$SIZES" "$COSTS"
