#!/usr/bin/env bash
# Fuzzes chiprace for a bounded time with two libFuzzer harnesses (libFuzzer + ASan + UBSan,
# clang), and fails on any crash, hang, out-of-memory, leak or sanitizer report:
#   config_fuzzer  the experiment loader alone (thousands of inputs per second);
#   run_fuzzer     every input the loader accepts, run in-process as a small whole run (design,
#                  model, summaries, sensitivity, contrasts, writers, analyze, info).
#
#   scripts/fuzz.sh [SECONDS]        SECONDS: total fuzzing time, default 60 (what CI runs):
#                                    a third for config_fuzzer, two thirds for run_fuzzer
#   scripts/fuzz.sh --build-only     configure and build the harnesses, run nothing (CI does
#                                    this first: clang compiles every source, and what only
#                                    clang refuses should fail CI in minutes, not after the suite)
#
# Steps: configure build/fuzz with clang (-DCHIPRACE_FUZZ=ON) unless done; build the targets;
# replay every saved input in tests/fuzz/findings/ through each harness (each one that still
# fails fails the run); fuzz a fresh copy of the seed corpus tests/fuzz/corpus/ per harness in
# build/fuzz/run/<harness>/ with the dictionary tests/fuzz/dict, -timeout=10 (run_fuzzer: 30; a
# slower input is a hang) and -rss_limit_mb=2048. A new crash, hang, OOM or leak is copied to
# tests/fuzz/findings/ (run_fuzzer's with the prefix run-). Prints executions per second and
# the final corpus size of each; exits 1 on any finding, old or new.
#
# Needs clang and its sanitizer runtimes (Debian: clang libclang-rt-<N>-dev) besides the
# project's own dependencies (scripts/setup.sh); as root with apt it installs the first two.
# Environment: CHIPRACE_FUZZ_JOBS build parallelism (default: nproc); CHIPRACE_FUZZ_FLAGS extra
# libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to keep fuzzing past a known crash and
# collect every finding of the run (still exits 1 if there is one); CHIPRACE_FUZZ_HARNESSES
# the harnesses to run (default "config_fuzzer run_fuzzer").
set -euo pipefail
build_only=0
if [ "${1:-}" = --build-only ]; then
    build_only=1
    shift
fi
seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: scripts/fuzz.sh [--build-only] [SECONDS]   (a positive number of seconds, default 60)" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
build=$root/build/fuzz
run=$build/run
findings=$root/tests/fuzz/findings

# ---- toolchain: clang and libFuzzer ------------------------------------------------------------
missing=()
if ! command -v clang++ >/dev/null 2>&1 || ! command -v clang >/dev/null 2>&1; then
    missing+=(clang)
    major=14 # Debian 12's default clang
else
    major=$(clang++ -dumpversion | cut -d. -f1)
fi
probe() { # can clang link a libFuzzer + ASan + UBSan binary?
    local dir
    dir=$(mktemp -d)
    printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
        'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' \
        >"$dir/probe.cpp"
    clang++ -fsanitize=fuzzer,address,undefined "$dir/probe.cpp" -o "$dir/probe" >/dev/null 2>&1
    local rc=$?
    rm -rf "$dir"
    return $rc
}
if [ ${#missing[@]} -eq 0 ] && ! probe; then
    missing+=("libclang-rt-$major-dev")
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "fuzz: clang cannot build a libFuzzer target; missing Debian packages: ${missing[*]}" >&2
        echo "As root: apt-get install --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    echo "fuzz: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    major=$(clang++ -dumpversion | cut -d. -f1)
    if ! probe; then
        echo "fuzz: clang++ still cannot link -fsanitize=fuzzer,address,undefined;" \
            "install libclang-rt-$major-dev" >&2
        exit 1
    fi
fi

# ---- build ------------------------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
    mkdir -p "$build"
    if ! cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHIPRACE_FUZZ=ON -DCHIPRACE_BUILD_TESTS=OFF \
        >"$build/configure.log" 2>&1; then
        cat "$build/configure.log" >&2
        echo "fuzz: configuring $build failed (the project's own dependencies: scripts/setup.sh)" >&2
        rm -f "$build/CMakeCache.txt"
        exit 1
    fi
fi
read -r -a harnesses <<<"${CHIPRACE_FUZZ_HARNESSES:-config_fuzzer run_fuzzer}"
for h in "${harnesses[@]}"; do
    case $h in
    config_fuzzer | run_fuzzer) ;;
    *)
        echo "fuzz: unknown harness '$h' in CHIPRACE_FUZZ_HARNESSES" >&2
        exit 2
        ;;
    esac
done
cmake --build "$build" --target "${harnesses[@]}" -j "${CHIPRACE_FUZZ_JOBS:-$(nproc)}"
if [ "$build_only" = 1 ]; then
    echo "fuzz: built ${harnesses[*]} in $build (--build-only: not run)"
    exit 0
fi

# ---- run --------------------------------------------------------------------------------------
rm -rf "$run"
mkdir -p "$run/tmp"
# The harnesses' include sandboxes live under TMPDIR (removed at exit; a crash leaves them).
export TMPDIR=$run/tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:symbolize=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1
# One MPI process, no launcher: Open MPI's singleton mode, allowed as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
    for s in llvm-symbolizer "llvm-symbolizer-$major" "/usr/lib/llvm-$major/bin/llvm-symbolizer"; do
        if command -v "$s" >/dev/null 2>&1; then
            ASAN_SYMBOLIZER_PATH=$(command -v "$s")
            export ASAN_SYMBOLIZER_PATH
            break
        fi
    done
fi

shopt -s nullglob
saved=("$findings"/*)
shopt -u nullglob
# The budget: a third to the loader (its coverage levels off within seconds at thousands of
# inputs per second), two thirds to whole runs (a few inputs per second).
share_of() {
    local s=$seconds
    if [ ${#harnesses[@]} -gt 1 ]; then
        case $1 in
        config_fuzzer) s=$((seconds / 3)) ;;
        run_fuzzer) s=$((seconds - seconds / 3)) ;;
        esac
    fi
    [ "$s" -ge 1 ] || s=1
    echo "$s"
}
failed=0
still=0
for h in "${harnesses[@]}"; do
    fuzzer=$build/tests/fuzz/$h
    dir=$run/$h
    mkdir -p "$dir/corpus" "$dir/artifacts"
    share=$(share_of "$h")
    # run_fuzzer: -detect_leaks=0, because Open MPI and HDF5 (not instrumented, no frame
    # pointers) keep per-process memory that LeakSanitizer reports with unresolvable stacks;
    # chiprace's own leaks stay config_fuzzer's and the sanitizer build's to find. -timeout=30:
    # a whole run with its writers takes about 0.2 s, but several seconds on a loaded machine.
    prefix="" timeout=10 leaks=1
    if [ "$h" = run_fuzzer ]; then
        prefix="run-" timeout=30 leaks=0
    fi

    # Saved findings first: each must now pass (libFuzzer runs file arguments once each).
    if [ ${#saved[@]} -gt 0 ]; then
        echo "fuzz: $h: replaying ${#saved[@]} saved finding(s) from tests/fuzz/findings/"
        for f in "${saved[@]}"; do
            log=$dir/replay-$(basename "$f").log
            if ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=$leaks "$fuzzer" -timeout=$timeout \
                -detect_leaks=$leaks -rss_limit_mb=2048 -close_fd_mask=1 "$f" >"$log" 2>&1; then
                echo "fuzz:   fixed: $(basename "$f")"
            else
                still=$((still + 1))
                echo "fuzz:   FAILS: $(basename "$f") (log: $log)" >&2
                grep -E "^(config|run)_fuzzer:|==[0-9]+==ERROR|runtime error|^SUMMARY" "$log" |
                    head -3 | sed 's/^/fuzz:     /' >&2 || true
            fi
        done
    fi

    cp "$root"/tests/fuzz/corpus/* "$dir/corpus/"
    seeds=$(find "$dir/corpus" -type f | wc -l)
    echo "fuzz: $h: fuzzing for $share s from $seeds seed inputs (log: $dir/fuzz.log)"
    set +e
    # -close_fd_mask=1: run_fuzzer's `chiprace info` prints to stdout for every input.
    # shellcheck disable=SC2086 # CHIPRACE_FUZZ_FLAGS: word splitting intended
    ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=$leaks \
        "$fuzzer" -max_total_time="$share" -timeout=$timeout -detect_leaks=$leaks \
        -rss_limit_mb=2048 -close_fd_mask=1 -dict="$root/tests/fuzz/dict" -artifact_prefix="$dir/artifacts/$prefix" \
        -print_final_stats=1 ${CHIPRACE_FUZZ_FLAGS:-} "$dir/corpus" >"$dir/fuzz.log" 2>&1
    rc=$?
    set -e

    fuzz_stat() { sed -n "s/^stat::$1: *//p" "$dir/fuzz.log" | tail -1; }
    units=$(find "$dir/corpus" -type f | wc -l)
    bytes=$(du -sb "$dir/corpus" | cut -f1)
    if grep -q "^stat::number_of_executed_units" "$dir/fuzz.log"; then
        echo "fuzz: $h: executions: $(fuzz_stat number_of_executed_units)," \
            "$(fuzz_stat average_exec_per_sec) exec/s, peak RSS $(fuzz_stat peak_rss_mb) MB"
    else # -fork mode prints no final stats: its last progress line instead
        grep -E "^#[0-9]+: cov:" "$dir/fuzz.log" | tail -1 | sed "s/^/fuzz: $h: last progress: /" ||
            true
    fi
    echo "fuzz: $h: corpus: $units inputs, $bytes bytes ($seeds seeds) in $dir/corpus"
    grep -E "^#[0-9]+[[:space:]]+DONE" "$dir/fuzz.log" | tail -1 || true

    # libFuzzer also saves its slowest input (slow-unit-*, over 10 s) without failing: a
    # report of speed, not a finding (a hang is a timeout-* and a non-zero exit).
    shopt -s nullglob
    found=()
    for f in "$dir"/artifacts/*; do
        case $(basename "$f") in
        *slow-unit-*) echo "fuzz: $h: slowest input kept in $f" ;;
        *) found+=("$f") ;;
        esac
    done
    shopt -u nullglob
    if [ $rc -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
        failed=1
        mkdir -p "$findings"
        for f in "${found[@]}"; do
            cp "$f" "$findings/"
            echo "fuzz: new finding saved: tests/fuzz/findings/$(basename "$f")" >&2
        done
        grep -E "^(config|run)_fuzzer:|==[0-9]+==ERROR|runtime error|^SUMMARY|ALARM|out-of-memory|^ +#[0-9]+ " \
            "$dir/fuzz.log" | head -40 >&2 || true
        echo "fuzz: $h: libFuzzer exit status $rc; full log: $dir/fuzz.log" >&2
    fi
done

if [ $still -gt 0 ]; then
    failed=1
    echo "fuzz: $still replay(s) of saved findings still fail; once fixed, delete them from" \
        "tests/fuzz/findings/ (or keep them as regression seeds in tests/fuzz/corpus/)" >&2
fi
if [ $failed -ne 0 ]; then
    echo "fuzz: FAILED. Reproduce: $build/tests/fuzz/<harness> tests/fuzz/findings/<file>" >&2
    exit 1
fi
echo "fuzz: no crash, hang or sanitizer report in $seconds s"
