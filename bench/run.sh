#!/usr/bin/env bash
# chiprace benchmarks (issue #5), in one command:
#
#   bench/run.sh            # from anywhere; prints a Markdown table on stdout
#
# 1. throughput per core, summary mode: chiprace (1 process, 1 thread) vs the NumPy
#    implementation bench/numpy_reference.py (1 thread), same work (sampling + model +
#    summaries, one policy, 2025-2035), alternated ABAB, medians of BENCH_REPEATS each;
# 2. parallel efficiency 1 -> 2 MPI ranks and 1 -> 2 OpenMP threads, fixed total samples;
# 3. raw-mode write throughput (output file size / wall time) vs dd to the same directory;
# 4. peak RSS in summary mode for N = 1e5 and a large N (1e7, or 1e6 if 1e7 would take
#    more than ~90 s at the measured speed).
#
# Settings (environment, all optional):
#   BENCH_DIR          scratch directory for result files (default: a new dir under $TMPDIR or /tmp;
#                      removed at the end unless BENCH_KEEP=1)
#   BENCH_REPEATS      repeats of the throughput comparison (default 3)
#   PAR_REPEATS        repeats of the parallel-efficiency runs (default 5: they are the noisiest)
#   THROUGHPUT_SAMPLES samples for the throughput comparison (default: enough for ~6 s of one
#                      chiprace core, from a calibration run; at least 200000)
#   PAR_SAMPLES        total samples for the parallel-efficiency runs (default: the same)
#   RAW_TARGET_MB      approximate size of the raw-mode file (default 1024)
#   RSS_MAX_SECONDS    largest estimated run time for the N = 1e7 RSS run (default 90)
#   BENCH_SKIP_BUILD=1 use build/release/chiprace as it is
#   BENCH_QUIET_WAIT   before each section, wait up to this many seconds for other processes to
#                      keep under 25% of the cores busy (default 0: do not wait). The machine is
#                      shared: other builds running alongside distort every figure, the
#                      parallel-efficiency ones most.
# Progress and every individual measurement go to stderr (and BENCH_DIR/bench.log).

set -euo pipefail

die() { printf 'bench/run.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf '%s\n' "$*" >&2; [[ -n "${LOG:-}" ]] && printf '%s\n' "$*" >>"$LOG"; return 0; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# ------------------------------------------------------------------ tools
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }
need cmake "install cmake (Debian: apt-get install cmake)"
need mpiexec "install an MPI launcher (Debian: apt-get install openmpi-bin)"
need dd "coreutils dd is required"
need awk "awk is required"
need sort "coreutils sort is required"
need date "coreutils date is required"
need stat "coreutils stat is required"
for t in grep sed cut cp tail mktemp nproc sleep dirname id; do need "$t" "it is part of every Debian base system"; done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (GNU time; Debian: apt-get install time)"
[[ -x /usr/bin/python3 ]] || die "/usr/bin/python3 not found (Debian: apt-get install python3)"
/usr/bin/python3 -c 'import numpy' 2>/dev/null \
    || die "/usr/bin/python3 has no numpy (Debian: apt-get install python3-numpy)"
/usr/bin/time -v true >/dev/null 2>&1 || die "/usr/bin/time does not support -v (need GNU time)"
[[ -f experiments/policy_comparison.toml ]] || die "experiments/policy_comparison.toml missing"

if [[ "$(id -u)" == 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

REPEATS="${BENCH_REPEATS:-3}"
PAR_REPEATS="${PAR_REPEATS:-5}"
RAW_MB="${RAW_TARGET_MB:-1024}"
RSS_MAX_S="${RSS_MAX_SECONDS:-90}"

# ------------------------------------------------------------------ build
CHIPRACE="$ROOT/build/release/chiprace"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    if [[ ! -f build/release/CMakeCache.txt ]]; then
        log "configuring: cmake --preset release"
        cmake --preset release >&2 || die "cmake --preset release failed"
    fi
    # Only the executable (target chiprace_exe; "chiprace" is the library): a test that does
    # not compile must not stop the benchmark.
    log "building: cmake --build --preset release -j --target chiprace_exe"
    cmake --build --preset release -j "$(nproc)" --target chiprace_exe >&2 \
        || die "build failed (cmake --build --preset release --target chiprace_exe)"
fi

# ------------------------------------------------------------------ scratch
if [[ -n "${BENCH_DIR:-}" ]]; then
    mkdir -p "$BENCH_DIR"; WORK="$(cd "$BENCH_DIR" && pwd)"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/chiprace-bench.XXXXXX")"
fi
LOG="$WORK/bench.log"; : >"$LOG"
# Benchmark a private copy: other developers may rebuild build/release while this runs.
[[ -x "$CHIPRACE" ]] || die "$CHIPRACE not found or not executable"
cp "$CHIPRACE" "$WORK/chiprace" || die "cannot copy $CHIPRACE to $WORK"
CHIPRACE_BUILT="$CHIPRACE"
CHIPRACE="$WORK/chiprace"
CHIPRACE_VERSION="$("$CHIPRACE" --version 2>/dev/null | awk '/git revision/ {print $3}')"
cleanup() {
    rm -f "$WORK"/*.h5 "$WORK"/*.h5.partial "$WORK"/dd.bin "$WORK"/chiprace
    [[ "${BENCH_KEEP:-0}" == 1 || -n "${BENCH_DIR:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

EXP=experiments/policy_comparison.toml
ONE_POLICY=(--set 'experiment.policies=["diffusion_rule"]')
NUMPY=(/usr/bin/python3 "$ROOT/bench/numpy_reference.py")

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2}'; }
calc() { awk "BEGIN {printf \"%.6g\", $*}"; }
fmt() { awk -v x="$1" -v f="${2:-%.3g}" 'BEGIN {printf f, x}'; }

# run_chiprace LABEL cmd...: runs cmd (chiprace, possibly under env / mpiexec) and prints
# "<tool seconds> <samples/s> <wall seconds> <cpu seconds>": the first two parsed from
# chiprace's "chiprace: wrote FILE in S s (R samples/s)", wall and CPU (user + sys of the
# whole process tree) from GNU time.
run_chiprace() {
    local label="$1"; shift
    local err="$WORK/$label.err" rus="$WORK/$label.rusage"
    /usr/bin/time -f '%e %U %S' -o "$rus" "$@" 2>"$err" >/dev/null \
        || { cat "$err" >&2; die "chiprace run failed: $*"; }
    local line
    line="$(grep -E 'wrote .* in [0-9.eE+-]+ s \([0-9.eE+-]+ samples/s\)' "$err" | tail -1)" \
        || { cat "$err" >&2; die "no 'wrote ... (N samples/s)' line from: $*"; }
    local s r w cpu
    s="$(sed -E 's/.* in ([0-9.eE+-]+) s \(.*/\1/' <<<"$line")"
    r="$(sed -E 's/.*\(([0-9.eE+-]+) samples\/s\).*/\1/' <<<"$line")"
    read -r w cpu < <(awk 'END {print $1, $2 + $3}' "$rus")
    log "  $label: $line (process wall $w s, CPU $cpu s = $(calc "100 * $cpu / $w" | cut -d. -f1)%)"
    echo "$s $r $w $cpu"
}

# busy_pct SECONDS: share of all cores busy (user+nice+sys+irq+steal) over SECONDS, while this
# script runs nothing: the load of other processes on this shared machine.
busy_pct() {
    local a b
    a="$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)"
    sleep "$1"
    b="$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)"
    awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0)}'
}

# wait_quiet: wait up to BENCH_QUIET_WAIT s for a quiet machine; prints the final busy share
wait_quiet() {
    local waited=0 b
    b="$(busy_pct 3)"
    while (( b >= 25 && waited < ${BENCH_QUIET_WAIT:-0} )); do
        sleep 5; waited=$((waited + 8)); b="$(busy_pct 3)"
    done
    echo "$b"
}

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
CPU_MODEL="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
NPROC="$(nproc)"
BUSY_START="$(wait_quiet)"
log "scratch directory: $WORK; $NPROC cores ($CPU_MODEL); load average $LOAD_START; other processes keep ${BUSY_START}% of the cores busy"

# ------------------------------------------------------------------ calibration
# Sample counts such that one chiprace core runs >= ~6 s (the brief: >= 5 s per measurement).
_o="$(run_chiprace "calibrate" env OMP_NUM_THREADS=1 "$CHIPRACE" run "$EXP" "${ONE_POLICY[@]}" \
    --samples 300000 -o "$WORK/cal.h5" --force)"
read -r _ CAL_RATE _ _ <<<"$_o"
AUTO_N="$(awk -v r="$CAL_RATE" 'BEGIN {n = int(r * 6 / 50000 + 1) * 50000; if (n < 200000) n = 200000; print n}')"
# The NumPy peer holds every output in memory (212 doubles per sample) for its exact
# quantiles: 2e6 samples are 3.4 GB. Both sides of the throughput row use the same N.
TP_N="${THROUGHPUT_SAMPLES:-$(( AUTO_N < 2000000 ? AUTO_N : 2000000 ))}"
PAR_N="${PAR_SAMPLES:-$AUTO_N}"
log "calibration: $CAL_RATE samples/s on one core -> $TP_N samples per throughput run, $PAR_N per parallel run"

# ------------------------------------------------------------------ 1. throughput per core
log "1. throughput per core: $TP_N samples, chiprace vs NumPy alternated, $REPEATS repeats each"
C_RATE=(); C_WALL=(); N_RATE=(); N_WALL=()
for ((i = 1; i <= REPEATS; i++)); do
    _o="$(run_chiprace "tp-chiprace-$i" env OMP_NUM_THREADS=1 "$CHIPRACE" run "$EXP" \
        "${ONE_POLICY[@]}" --samples "$TP_N" -o "$WORK/tp.h5" --force)"
    read -r _ r w _ <<<"$_o"
    C_RATE+=("$r"); C_WALL+=("$w")
    t0="$(now)"
    out="$("${NUMPY[@]}" bench --samples "$TP_N" --policy diffusion_rule --repeat 1 --seed $((20250113 + i)))" \
        || die "numpy_reference.py bench failed"
    t1="$(now)"
    r="$(sed -nE 's/.*\(([0-9.]+) samples\/s\).*/\1/p' <<<"$out" | tail -1)"
    [[ -n "$r" ]] || die "no samples/s in numpy_reference.py output: $out"
    log "  tp-numpy-$i: $out (process wall $(calc "$t1 - $t0") s)"
    N_RATE+=("$r"); N_WALL+=("$(calc "$t1 - $t0")")
done
C_MED="$(printf '%s\n' "${C_RATE[@]}" | median)"
N_MED="$(printf '%s\n' "${N_RATE[@]}" | median)"
C_WMED="$(printf '%s\n' "${C_WALL[@]}" | median)"
N_WMED="$(printf '%s\n' "${N_WALL[@]}" | median)"
TP_RATIO="$(calc "$C_MED / $N_MED")"
TP_WRATIO="$(calc "$N_WMED / $C_WMED")"

# ------------------------------------------------------------------ 2. parallel efficiency
log "2. parallel efficiency: $PAR_N samples, 1 vs 2 ranks and 1 vs 2 threads, alternated, $PAR_REPEATS repeats"
R1=(); R2=(); T1=(); T2=(); R1W=(); R2W=(); T1W=(); T2W=(); R1C=(); R2C=(); T1C=(); T2C=(); PR=()
# pair_run I: the machine's own ceiling. Two independent single-thread chiprace processes, each
# with half the samples, at the same time (pinned to cores 0 and 1 when taskset exists): no
# communication, no shared work. Prints the slower one's run time.
PIN0=(); PIN1=()
if command -v taskset >/dev/null 2>&1; then PIN0=(taskset -c 0); PIN1=(taskset -c 1); fi
pair_run() {
    local i="$1" half=$((PAR_N / 2)) pa pb ra rb
    run_chiprace "pairA-$i" env OMP_NUM_THREADS=1 "${PIN0[@]}" "$CHIPRACE" run "$EXP" "${ONE_POLICY[@]}" \
        --samples "$half" -o "$WORK/pairA.h5" --force >"$WORK/pairA.out" & pa=$!
    run_chiprace "pairB-$i" env OMP_NUM_THREADS=1 "${PIN1[@]}" "$CHIPRACE" run "$EXP" "${ONE_POLICY[@]}" \
        --samples "$half" -o "$WORK/pairB.h5" --force >"$WORK/pairB.out" & pb=$!
    wait "$pa" || die "pair run A failed"
    wait "$pb" || die "pair run B failed"
    read -r _ ra _ _ <"$WORK/pairA.out"; read -r _ rb _ _ <"$WORK/pairB.out"
    awk -v h="$half" -v a="$ra" -v b="$rb" 'BEGIN {x = h / a; y = h / b; printf "%.6g", (x > y ? x : y)}'
}
BUSY_PAR="$(wait_quiet)"
log "  other processes keep ${BUSY_PAR}% of the cores busy"
for ((i = 1; i <= PAR_REPEATS; i++)); do
    _o="$(run_chiprace "ranks1-$i" env OMP_NUM_THREADS=1 mpiexec -n 1 --bind-to core \
        "$CHIPRACE" run "$EXP" "${ONE_POLICY[@]}" --samples "$PAR_N" \
        -o "$WORK/par.h5" --force)"
    read -r _ r w c <<<"$_o"
    R1+=("$(calc "$PAR_N / $r")"); R1W+=("$w"); R1C+=("$c")
    _o="$(run_chiprace "ranks2-$i" env OMP_NUM_THREADS=1 mpiexec -n 2 --bind-to core \
        "$CHIPRACE" run "$EXP" "${ONE_POLICY[@]}" --samples "$PAR_N" \
        -o "$WORK/par.h5" --force)"
    read -r _ r w c <<<"$_o"
    R2+=("$(calc "$PAR_N / $r")"); R2W+=("$w"); R2C+=("$c")
done
for ((i = 1; i <= PAR_REPEATS; i++)); do
    _o="$(run_chiprace "threads1-$i" env OMP_NUM_THREADS=1 "$CHIPRACE" run "$EXP" \
        "${ONE_POLICY[@]}" --samples "$PAR_N" -o "$WORK/par.h5" --force)"
    read -r _ r w c <<<"$_o"
    T1+=("$(calc "$PAR_N / $r")"); T1W+=("$w"); T1C+=("$c")
    _o="$(run_chiprace "threads2-$i" env OMP_NUM_THREADS=2 "$CHIPRACE" run "$EXP" \
        "${ONE_POLICY[@]}" --samples "$PAR_N" -o "$WORK/par.h5" --force)"
    read -r _ r w c <<<"$_o"
    T2+=("$(calc "$PAR_N / $r")"); T2W+=("$w"); T2C+=("$c")
    PR+=("$(pair_run "$i")")
done
med() { printf '%s\n' "$@" | median; }
R1M="$(med "${R1[@]}")"; R2M="$(med "${R2[@]}")"; T1M="$(med "${T1[@]}")"; T2M="$(med "${T2[@]}")"
R1WM="$(med "${R1W[@]}")"; R2WM="$(med "${R2W[@]}")"; T1WM="$(med "${T1W[@]}")"; T2WM="$(med "${T2W[@]}")"
EFF_R="$(calc "($R1M / $R2M) / 2 * 100")"; EFF_T="$(calc "($T1M / $T2M) / 2 * 100")"
PRM="$(med "${PR[@]}")"; EFF_P="$(calc "($T1M / $PRM) / 2 * 100")"
EFF_RW="$(calc "($R1WM / $R2WM) / 2 * 100")"; EFF_TW="$(calc "($T1WM / $T2WM) / 2 * 100")"
R1CM="$(med "${R1C[@]}")"; R2CM="$(med "${R2C[@]}")"; T1CM="$(med "${T1C[@]}")"; T2CM="$(med "${T2C[@]}")"
# CPU used by the 2-way runs (200% = both cores all the time) and CPU-time efficiency
# (CPU seconds of the 1-way run / of the 2-way run: parallel overhead, whatever the contention)
R2UTIL="$(calc "100 * $R2CM / $R2WM")"; T2UTIL="$(calc "100 * $T2CM / $T2WM")"
CEFF_R="$(calc "100 * $R1CM / $R2CM")"; CEFF_T="$(calc "100 * $T1CM / $T2CM")"

# ------------------------------------------------------------------ 3. raw write throughput
BUSY_RAW="$(wait_quiet)"
log "3. raw-mode write throughput vs dd (target file ~${RAW_MB} MB)"
RAW_CMD=(env OMP_NUM_THREADS=1 mpiexec -n 2 --bind-to core "$CHIPRACE" run "$EXP"
         "${ONE_POLICY[@]}" --set output.store=raw)
run_chiprace "raw-probe" "${RAW_CMD[@]}" --samples 20000 -o "$WORK/raw.h5" --force >/dev/null
PROBE_BYTES="$(stat -c %s "$WORK/raw.h5")"
RAW_N="$(awk -v mb="$RAW_MB" -v b="$PROBE_BYTES" 'BEGIN {n = mb * 1048576 / (b / 20000); n = int(n / 10000) * 10000; if (n < 20000) n = 20000; print n}')"
log "  other processes keep ${BUSY_RAW}% of the cores busy"
log "  raw probe: 20000 samples -> $PROBE_BYTES bytes; raw run: $RAW_N samples"
rm -f "$WORK/raw.h5"
sync
_o="$(run_chiprace "raw" "${RAW_CMD[@]}" --samples "$RAW_N" -o "$WORK/raw.h5" --force)"
read -r _ _ RAW_W _ <<<"$_o"
RAW_BYTES="$(stat -c %s "$WORK/raw.h5")"
rm -f "$WORK/raw.h5"
# the same run in summary mode: how much of the raw run's time is computing, not writing
_o="$(run_chiprace "raw-as-summary" env OMP_NUM_THREADS=1 mpiexec -n 2 --bind-to core \
    "$CHIPRACE" run "$EXP" "${ONE_POLICY[@]}" --samples "$RAW_N" \
    -o "$WORK/sum.h5" --force)"
read -r _ _ SUM_W _ <<<"$_o"
DD_COUNT=$(( (RAW_BYTES + 1048575) / 1048576 ))
sync
DD_FLAGS=(oflag=direct conv=fsync)
if ! dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=1 oflag=direct conv=fsync 2>/dev/null; then
    DD_FLAGS=(conv=fsync)
    log "  dd: oflag=direct unsupported here, using conv=fsync only"
fi
rm -f "$WORK/dd.bin"
t0="$(now)"
dd if=/dev/zero of="$WORK/dd.bin" bs=1M count="$DD_COUNT" "${DD_FLAGS[@]}" 2>"$WORK/dd.err" \
    || { cat "$WORK/dd.err" >&2; die "dd failed"; }
t1="$(now)"
rm -f "$WORK/dd.bin"
DD_W="$(calc "$t1 - $t0")"
log "  dd: $(tail -1 "$WORK/dd.err") (wall $DD_W s)"
# dd through the page cache, as HDF5 and MPI-IO write (no O_DIRECT), flushed at the end
sync
t0="$(now)"
dd if=/dev/zero of="$WORK/dd.bin" bs=1M count="$DD_COUNT" conv=fsync 2>"$WORK/dd.err" \
    || { cat "$WORK/dd.err" >&2; die "dd failed"; }
t1="$(now)"
rm -f "$WORK/dd.bin"
DD_BUF_W="$(calc "$t1 - $t0")"
log "  dd buffered: $(tail -1 "$WORK/dd.err") (wall $DD_BUF_W s)"
DD_BUF_MBS="$(calc "$DD_COUNT * 1048576 / $DD_BUF_W / 1e6")"
RAW_MBS="$(calc "$RAW_BYTES / $RAW_W / 1e6")"
DD_MBS="$(calc "$DD_COUNT * 1048576 / $DD_W / 1e6")"
RAW_RATIO="$(calc "$RAW_MBS / $DD_MBS * 100")"
IO_EXTRA="$(calc "$RAW_W - $SUM_W")"

# ------------------------------------------------------------------ 4. peak RSS vs N
BUSY_RSS="$(wait_quiet)"
log "4. peak RSS in summary mode (1 process, 1 thread)"
rss() {  # rss LABEL N -> "<kB> <wall s>"
    local label="$1" n="$2" t0 t1
    t0="$(now)"
    OMP_NUM_THREADS=1 /usr/bin/time -v -o "$WORK/$label.time" "$CHIPRACE" run "$EXP" "${ONE_POLICY[@]}" \
        --samples "$n" -o "$WORK/rss.h5" --force >/dev/null 2>"$WORK/$label.err" \
        || { cat "$WORK/$label.err" "$WORK/$label.time" >&2; die "RSS run $label failed"; }
    t1="$(now)"
    local kb
    kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$label.time")"
    [[ -n "$kb" ]] || die "no 'Maximum resident set size' from /usr/bin/time -v"
    log "  $label: N=$n, max RSS $kb kB, wall $(calc "$t1 - $t0") s"
    echo "$kb $(calc "$t1 - $t0")"
}
EST_1E7="$(calc "1e7 / $C_MED")"
if awk -v e="$EST_1E7" -v m="$RSS_MAX_S" 'BEGIN {exit !(e <= m)}'; then
    BIG_N=10000000; BIG_NOTE="1e7"
else
    BIG_N=1000000; BIG_NOTE="1e6 (1e7 would take ~$(fmt "$EST_1E7" %.0f) s at $(fmt "$C_MED" %.0f) samples/s per core, over ${RSS_MAX_S} s)"
fi
_o="$(rss rss-1e5 100000)"
read -r RSS_SMALL _ <<<"$_o"
_o="$(rss rss-big "$BIG_N")"
read -r RSS_BIG RSS_BIG_W <<<"$_o"
RSS_RATIO="$(calc "$RSS_BIG / $RSS_SMALL")"
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------ table
pass() { awk -v x="$1" -v t="$2" 'BEGIN {print (x >= t) ? "yes" : "**no**"}'; }
passle() { awk -v x="$1" -v t="$2" 'BEGIN {print (x <= t) ? "yes" : "**no**"}'; }
cat <<EOF

## chiprace benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)

Machine: $NPROC cores, $CPU_MODEL; load average $LOAD_START at start, $LOAD_END at end.
Other processes kept ${BUSY_START}% of the cores busy before the throughput runs, ${BUSY_PAR}% before the
parallel runs, ${BUSY_RAW}% before the raw-write runs and ${BUSY_RSS}% before the RSS runs (3 s of
/proc/stat each): a busy machine depresses every speed figure, the parallel efficiencies most.
chiprace: a copy of \`$CHIPRACE_BUILT\`, git revision ${CHIPRACE_VERSION:-unknown} (as built).
Medians of $REPEATS runs (throughput) and $PAR_REPEATS runs (parallel); every run is in the log (stderr).

| benchmark | chiprace | reference | result | target | met |
|---|---|---|---|---|---|
| throughput per core, summary mode, $TP_N samples, 1 policy (samples/s) | $(fmt "$C_MED" %.0f) | NumPy $(fmt "$N_MED" %.0f) | **$(fmt "$TP_RATIO" %.2f)x** NumPy | >= 10x (aim 20x) | $(pass "$TP_RATIO" 10) |
| same, whole-process wall time incl. start-up (s) | $(fmt "$C_WMED" %.2f) | NumPy $(fmt "$N_WMED" %.2f) | $(fmt "$TP_WRATIO" %.2f)x | | |
| parallel efficiency 1 -> 2 MPI ranks, $PAR_N samples (run time, s) | 2 ranks $(fmt "$R2M" %.2f) | 1 rank $(fmt "$R1M" %.2f) | **$(fmt "$EFF_R" %.1f)%** (wall incl. mpiexec: $(fmt "$EFF_RW" %.1f)%; 2 ranks used $(fmt "$R2UTIL" %.0f)% CPU; CPU-time efficiency $(fmt "$CEFF_R" %.0f)%) | >= 85% | $(pass "$EFF_R" 85) |
| parallel efficiency 1 -> 2 OpenMP threads, $PAR_N samples (run time, s) | 2 threads $(fmt "$T2M" %.2f) | 1 thread $(fmt "$T1M" %.2f) | **$(fmt "$EFF_T" %.1f)%** (wall: $(fmt "$EFF_TW" %.1f)%; 2 threads used $(fmt "$T2UTIL" %.0f)% CPU; CPU-time efficiency $(fmt "$CEFF_T" %.0f)%) | | |
| ceiling: 2 independent 1-thread processes at once, $((PAR_N / 2)) samples each (slower one, s) | pair $(fmt "$PRM" %.2f) | 1 thread $(fmt "$T1M" %.2f) | $(fmt "$EFF_P" %.1f)% | | |
| raw-mode write, 2 ranks, $RAW_N samples, $(fmt "$(calc "$RAW_BYTES / 1e6")" %.0f) MB (MB/s = size / wall) | $(fmt "$RAW_MBS" %.0f) MB/s ($(fmt "$RAW_W" %.2f) s) | dd $(fmt "$DD_MBS" %.0f) MB/s (${DD_FLAGS[*]}) | **$(fmt "$RAW_RATIO" %.1f)%** of dd | >= 50% | $(pass "$RAW_RATIO" 50) |
| same, against dd through the page cache (conv=fsync, no O_DIRECT: the path HDF5 writes by) | $(fmt "$RAW_MBS" %.0f) MB/s | dd $(fmt "$DD_BUF_MBS" %.0f) MB/s | $(fmt "$(calc "$RAW_MBS / $DD_BUF_MBS * 100")" %.1f)% of buffered dd | | |
| same samples in summary mode (wall, s) | $(fmt "$SUM_W" %.2f) | | raw costs $(fmt "$IO_EXTRA" %.2f) s more | | |
| peak RSS, summary mode, 1 thread, N = 1e5 vs $(fmt "$BIG_N" %.0e) (MB) | $(fmt "$(calc "$RSS_BIG / 1024")" %.1f) at N=$BIG_N | $(fmt "$(calc "$RSS_SMALL / 1024")" %.1f) at N=1e5 | **$(fmt "$RSS_RATIO" %.3f)x** | <= 1.5x (at 1e7) | $(passle "$RSS_RATIO" 1.5) |

Large N for the RSS row: $BIG_NOTE; that run took $(fmt "$RSS_BIG_W" %.1f) s.
EOF
