#!/usr/bin/env bash
# Fuzzes the experiment loader (tests/fuzz/config_fuzzer: libFuzzer + ASan + UBSan, clang) for a
# bounded time, and fails on any crash, hang, out-of-memory, leak or sanitizer report.
#
#   scripts/fuzz.sh [SECONDS]        SECONDS: fuzzing time, default 60
#
# Steps: configure build/fuzz with clang (-DCHIPRACE_FUZZ=ON) unless done; build the target;
# replay every saved input in tests/fuzz/findings/ (each one that still fails fails the run);
# fuzz a fresh copy of the seed corpus tests/fuzz/corpus/ in build/fuzz/run/ with the dictionary
# tests/fuzz/dict, -timeout=10 (a slower input is a hang) and -rss_limit_mb=2048. A new crash,
# hang, OOM or leak is copied to tests/fuzz/findings/. Prints executions per second and the
# final corpus size either way; exits 1 on any finding, old or new.
#
# Needs clang and its sanitizer runtimes (Debian: clang libclang-rt-<N>-dev) besides the
# project's own dependencies (scripts/setup.sh); as root with apt it installs the first two.
# Environment: CHIPRACE_FUZZ_JOBS build parallelism (default: nproc); CHIPRACE_FUZZ_FLAGS extra
# libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to keep fuzzing past a known crash and
# collect every finding of the run (still exits 1 if there is one).
set -euo pipefail
seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: scripts/fuzz.sh [SECONDS]   (a positive number of seconds, default 60)" >&2
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
cmake --build "$build" --target config_fuzzer -j "${CHIPRACE_FUZZ_JOBS:-$(nproc)}"
fuzzer=$build/tests/fuzz/config_fuzzer

# ---- run --------------------------------------------------------------------------------------
rm -rf "$run"
mkdir -p "$run/corpus" "$run/artifacts" "$run/tmp"
cp "$root"/tests/fuzz/corpus/* "$run/corpus/"
seeds=$(find "$run/corpus" -type f | wc -l)
# The harness's include sandbox lives under TMPDIR (removed at exit; a crash leaves it in run/).
export TMPDIR=$run/tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:symbolize=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
    for s in llvm-symbolizer "llvm-symbolizer-$major" "/usr/lib/llvm-$major/bin/llvm-symbolizer"; do
        if command -v "$s" >/dev/null 2>&1; then
            ASAN_SYMBOLIZER_PATH=$(command -v "$s")
            export ASAN_SYMBOLIZER_PATH
            break
        fi
    done
fi

# Saved findings first: each must now pass (libFuzzer runs file arguments once each).
shopt -s nullglob
saved=("$findings"/*)
shopt -u nullglob
still=0
if [ ${#saved[@]} -gt 0 ]; then
    echo "fuzz: replaying ${#saved[@]} saved finding(s) from tests/fuzz/findings/"
    for f in "${saved[@]}"; do
        log=$run/replay-$(basename "$f").log
        if "$fuzzer" -timeout=10 -rss_limit_mb=2048 "$f" >"$log" 2>&1; then
            echo "fuzz:   fixed: $(basename "$f")"
        else
            still=$((still + 1))
            echo "fuzz:   FAILS: $(basename "$f") (log: $log)" >&2
            grep -E "^config_fuzzer:|==[0-9]+==ERROR|runtime error|^SUMMARY" "$log" | head -3 |
                sed 's/^/fuzz:     /' >&2 || true
        fi
    done
fi

echo "fuzz: fuzzing for $seconds s from $seeds seed inputs (log: $run/fuzz.log)"
set +e
# shellcheck disable=SC2086 # CHIPRACE_FUZZ_FLAGS: word splitting intended
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$root/tests/fuzz/dict" -artifact_prefix="$run/artifacts/" -print_final_stats=1 \
    ${CHIPRACE_FUZZ_FLAGS:-} "$run/corpus" >"$run/fuzz.log" 2>&1
rc=$?
set -e

# ---- report -----------------------------------------------------------------------------------
fuzz_stat() { sed -n "s/^stat::$1: *//p" "$run/fuzz.log" | tail -1; }
units=$(find "$run/corpus" -type f | wc -l)
bytes=$(du -sb "$run/corpus" | cut -f1)
if grep -q "^stat::number_of_executed_units" "$run/fuzz.log"; then
    echo "fuzz: executions: $(fuzz_stat number_of_executed_units)," \
        "$(fuzz_stat average_exec_per_sec) exec/s, peak RSS $(fuzz_stat peak_rss_mb) MB"
else # -fork mode prints no final stats: its last progress line instead
    grep -E "^#[0-9]+: cov:" "$run/fuzz.log" | tail -1 | sed 's/^/fuzz: last progress: /' || true
fi
echo "fuzz: corpus: $units inputs, $bytes bytes ($seeds seeds) in $run/corpus"
grep -E "^#[0-9]+[[:space:]]+DONE" "$run/fuzz.log" | tail -1 || true

shopt -s nullglob
found=("$run"/artifacts/*)
shopt -u nullglob
failed=0
if [ $rc -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    failed=1
    mkdir -p "$findings"
    for f in "${found[@]}"; do
        cp "$f" "$findings/"
        echo "fuzz: new finding saved: tests/fuzz/findings/$(basename "$f")" >&2
    done
    grep -E "^config_fuzzer:|==[0-9]+==ERROR|runtime error|^SUMMARY|ALARM|out-of-memory|^ +#[0-9]+ " \
        "$run/fuzz.log" | head -40 >&2 || true
    echo "fuzz: libFuzzer exit status $rc; full log: $run/fuzz.log" >&2
fi
if [ $still -gt 0 ]; then
    failed=1
    echo "fuzz: $still saved finding(s) still fail; once fixed, delete them from" \
        "tests/fuzz/findings/ (or keep them as regression seeds in tests/fuzz/corpus/)" >&2
fi
if [ $failed -ne 0 ]; then
    echo "fuzz: FAILED. Reproduce: $fuzzer tests/fuzz/findings/<file>" >&2
    exit 1
fi
echo "fuzz: no crash, hang or sanitizer report in $seconds s"
