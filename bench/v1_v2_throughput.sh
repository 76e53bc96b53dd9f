#!/usr/bin/env bash
# Throughput per core of chiprace binaries side by side (issue 15: version 2 of compute_race
# within 15% of version 1). Each binary runs its own experiment file in one thread, the binaries
# alternating (A B C A B C ...), and the user CPU seconds of every run are reported: on a shared
# machine only ratios of interleaved runs mean anything.
#
#   bench/v1_v2_throughput.sh LABEL BINARY EXPERIMENT [LABEL BINARY EXPERIMENT ...]
#
# EXPERIMENT is a file, or REV:PATH, a file of a git revision of this repository (version 1's
# flagship is main:experiments/policy_comparison.toml). Its includes (include = ["..."]) are
# taken from the same place. Example, version 1 (branch main, its binary) against version 2:
#
#   bench/v1_v2_throughput.sh \
#       v1 /path/to/main/build/chiprace main:experiments/policy_comparison.toml \
#       v2 build/release/chiprace experiments/policy_comparison.toml
#
# Settings (environment, all optional):
#   BENCH_SAMPLES  samples per run (default 50000; experiment.samples is replaced)
#   BENCH_REPEATS  runs per binary (default 5)
#   BENCH_DIR      scratch directory (default: a new one under $TMPDIR or /tmp, removed at the
#                  end unless BENCH_KEEP=1)
# The binaries are copied first, so that a rebuild during the runs does not change what is
# measured. Every run goes to stderr; the Markdown table to stdout.

set -euo pipefail

die() { printf 'bench/v1_v2_throughput.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf '%s\n' "$*" >&2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (GNU time; Debian: apt-get install time)"
(($# >= 3 && $# % 3 == 0)) || die "usage: $0 LABEL BINARY EXPERIMENT [LABEL BINARY EXPERIMENT ...]"
SAMPLES="${BENCH_SAMPLES:-50000}"
REPEATS="${BENCH_REPEATS:-5}"
[[ "$SAMPLES" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SAMPLES must be a positive integer"
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEATS must be a positive integer"

if [[ -n "${BENCH_DIR:-}" ]]; then
    mkdir -p "$BENCH_DIR"
    WORK="$(cd "$BENCH_DIR" && pwd)"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/chiprace-throughput.XXXXXX")"
    [[ "${BENCH_KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT
fi

# Prints the text of an experiment or included file: a path, or REV:PATH of this repository.
read_source() {
    local src="$1"
    if [[ -f "$src" ]]; then
        cat "$src"
    elif [[ "$src" == *:* ]]; then
        git -C "$ROOT" show "$src" 2>/dev/null || die "$src: no such file in git"
    else
        die "$src: no such file"
    fi
}

# Writes file $1 (a path, or REV:PATH) to $2 with its includes (paths relative to the file's
# directory, as chiprace reads them) staged beside it the same way, recursively, and named by
# absolute paths.
stage_file() {
    local src="$1" out="$2" rev="" path="$1"
    if [[ ! -f "$src" && "$src" == *:* ]]; then
        rev="${src%%:*}:"
        path="${src#*:}"
    fi
    local base
    base="$(dirname "$path")"
    local includes
    includes="$(read_source "$src" | sed -n 's/^include *= *\[\(.*\)\].*/\1/p' | tr ',' '\n' |
        sed 's/^ *"\(.*\)" *$/\1/' | grep -v '^ *$' || true)"
    local replaced="" inc i=0 dir="${out%.toml}.included"
    while IFS= read -r inc; do
        [[ -n "$inc" ]] || continue
        mkdir -p "$dir"
        local target="$dir/$i.toml"
        stage_file "$rev$base/$inc" "$target"
        replaced+="${replaced:+, }\"$target\""
        i=$((i + 1))
    done <<<"$includes"
    read_source "$src" | sed -e "s|^include *=.*|include = [$replaced]|" >"$out"
}

# Copies experiment $1 to directory $2 with its includes, and experiment.samples set.
stage_experiment() {
    local src="$1" dir="$2"
    stage_file "$src" "$dir/staged.toml"
    sed -e "s|^samples *=.*|samples = $SAMPLES|" "$dir/staged.toml" >"$dir/experiment.toml"
    grep -q "^samples = $SAMPLES" "$dir/experiment.toml" || die "$src: no experiment.samples line"
}

LABELS=() BINARIES=() EXPERIMENTS=()
while (($# > 0)); do
    label="$1" binary="$2" experiment="$3"
    shift 3
    [[ -x "$binary" ]] || die "$binary: not found or not executable"
    n=${#LABELS[@]}
    mkdir -p "$WORK/$n"
    cp "$binary" "$WORK/$n/chiprace"
    stage_experiment "$experiment" "$WORK/$n"
    LABELS+=("$label")
    BINARIES+=("$binary")
    EXPERIMENTS+=("$experiment")
    log "$label: $binary ($("$WORK/$n/chiprace" --version 2>/dev/null | grep -m 1 'git revision' |
        sed 's/^ *//')), $experiment"
done

log "load before: $(cat /proc/loadavg 2>/dev/null || uptime)"
declare -A USER
for ((r = 1; r <= REPEATS; r++)); do
    for ((n = 0; n < ${#LABELS[@]}; n++)); do
        out="$WORK/$n/out.h5"
        OMP_NUM_THREADS=1 /usr/bin/time -f '%U %S %e' -o "$WORK/$n/time" "$WORK/$n/chiprace" \
            run "$WORK/$n/experiment.toml" -o "$out" --force -q >"$WORK/$n/log" 2>&1 ||
            die "${LABELS[$n]}: run $r failed (see $WORK/$n/log)"
        read -r user sys wall <"$WORK/$n/time"
        USER[$n]+="${USER[$n]:+ }$user"
        log "run $r ${LABELS[$n]}: user ${user} s, sys ${sys} s, wall ${wall} s"
    done
done
log "load after: $(cat /proc/loadavg 2>/dev/null || uptime)"

median() { tr ' ' '\n' | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
fastest() { tr ' ' '\n' | sort -g | head -n 1; }
first_median="$(median <<<"${USER[0]}")"
first_fastest="$(fastest <<<"${USER[0]}")"
# The fastest run is the least disturbed one: other processes only ever add time.
printf '%s samples, 1 thread, %s interleaved runs each (user CPU seconds)\n\n' "$SAMPLES" "$REPEATS"
printf '| binary | experiment | user s per run | median | samples/s per core | vs %s | fastest | vs %s |\n' \
    "${LABELS[0]}" "${LABELS[0]}"
printf '|---|---|---|---|---|---|---|---|\n'
for ((n = 0; n < ${#LABELS[@]}; n++)); do
    m="$(median <<<"${USER[$n]}")"
    f="$(fastest <<<"${USER[$n]}")"
    awk -v l="${LABELS[$n]}" -v b="${BINARIES[$n]}" -v e="${EXPERIMENTS[$n]}" -v runs="${USER[$n]}" \
        -v m="$m" -v fm="$first_median" -v f="$f" -v ff="$first_fastest" -v s="$SAMPLES" \
        'BEGIN {gsub(/ /, ", ", runs); printf "| %s (`%s`) | `%s` | %s | %.2f | %.0f | %.2f | %.2f | %.2f |\n", l, b, e, runs, m, s / m, m / fm, f, f / ff}'
done
