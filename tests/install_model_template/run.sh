#!/usr/bin/env bash
# A model added out of tree touches no file of chiprace (issue 17): `cmake --install` of a built
# chiprace tree into a temporary prefix, then a copy of examples/model-template/ outside the
# source tree configured against that prefix only (find_package(chiprace), chiprace_add_model),
# built, its own tests run (ctest: the model on hand cases, and the installed chiprace
# validating and running its experiment), and the installed chiprace run on the experiment
# with the plug-in and `info` on the result. The result file must name the model and record
# the plug-in (its sha256 and version); the source tree's `git status` must not change.
#
#   tests/install_model_template/run.sh [BUILD_DIR]   (ctest: "install: model template")
#
# BUILD_DIR (argument or environment) is a configured and built chiprace tree; compiler and
# build type come from its CMakeCache.txt. CMAKE, CTEST and PYTHON (environment) name the tools
# (ctest passes its own; PYTHON needs h5py). The work directory is removed on success and kept
# on failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="${SOURCE_DIR:-$(cd "$here/../.." && pwd)}"
build_dir="${1:-${BUILD_DIR:-}}"
cmake="${CMAKE:-cmake}"
ctest="${CTEST:-$(dirname "$(command -v "$cmake")")/ctest}"
python="${PYTHON:-/usr/bin/python3}"
if [[ -z "$build_dir" || ! -f "$build_dir/CMakeCache.txt" ]]; then
    echo "usage: $0 BUILD_DIR (a configured and built chiprace build tree)" >&2
    exit 2
fi
build_dir="$(cd "$build_dir" && pwd)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1

cache_value() { # the value of a CMakeCache.txt entry, empty when absent
    sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt" | head -n1
}
cxx="$(cache_value CMAKE_CXX_COMPILER)"
cc="$(cache_value CMAKE_C_COMPILER)"
build_type="$(cache_value CMAKE_BUILD_TYPE)"

work="$(mktemp -d "${TMPDIR:-/tmp}/chiprace-model-template.XXXXXX")"
prefix="$work/prefix"
model_source="$work/my-model"
model_build="$work/my-model-build"
status=1
cleanup() {
    if [[ $status -eq 0 ]]; then
        rm -rf "$work"
    else
        echo "model template test FAILED; everything kept in $work" >&2
    fi
}
trap cleanup EXIT
fail() {
    echo "model template test: $*" >&2
    exit 1
}
case "$work/" in
    "$source_dir"/*) fail "the work directory $work is inside the source tree" ;;
esac

# What the source tree looks like before: names of changed and untracked files, and the
# content of every change (a second edit of an already modified file shows there).
tree_state() {
    git -C "$source_dir" --no-optional-locks status --porcelain --untracked-files=all
    git -C "$source_dir" --no-optional-locks diff HEAD | sha256sum
}
have_git=0
if git -C "$source_dir" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    have_git=1
    tree_state > "$work/tree-before.txt"
fi

echo "== cmake --install $build_dir --prefix $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix" > "$work/install.log" \
    || { cat "$work/install.log"; fail "cmake --install failed"; }
config="$(find "$prefix" -path '*/cmake/chiprace/chiprace-config.cmake' | head -n1)"
[[ -n "$config" ]] || fail "no lib*/cmake/chiprace/chiprace-config.cmake under $prefix"
package_dir="$(dirname "$config")"
[[ -f "$package_dir/ChipraceAddModel.cmake" ]] || fail "missing $package_dir/ChipraceAddModel.cmake"
grep -q 'chiprace::model_interface' "$package_dir/chiprace-targets.cmake" \
    || fail "the installed package does not export chiprace::model_interface"

echo "== copy examples/model-template to $model_source"
cp -R "$source_dir/examples/model-template" "$model_source"
rm -rf "$model_source/build" # a build directory a developer may have left in the example

echo "== configure the copy against $prefix only"
"$cmake" -S "$model_source" -B "$model_build" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE="${build_type:-Release}" > "$work/configure.log" 2>&1 \
    || { cat "$work/configure.log"; fail "configuring the model failed"; }
found_dir="$(sed -n 's/^chiprace_DIR:PATH=//p' "$model_build/CMakeCache.txt")"
[[ "$found_dir" == "$prefix"/* ]] || fail "the model found chiprace in $found_dir, not in $prefix"
executable="$(sed -n 's/^CHIPRACE_EXECUTABLE:[A-Z]*=//p' "$model_build/CMakeCache.txt")"
[[ "$executable" == "$prefix/bin/chiprace" ]] \
    || fail "CHIPRACE_EXECUTABLE is '$executable', not the installed $prefix/bin/chiprace"

echo "== build the model"
"$cmake" --build "$model_build" > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "building the model failed"; }
plugin="$model_build/libtoy_race.so"
for f in "$plugin" "$model_build/priors.toml" "$model_build/experiment.toml"; do
    [[ -f "$f" ]] || fail "the build made no $f"
done
# A plug-in links no chiprace library and exports only its entry points' C names.
if readelf -d "$plugin" | grep -F NEEDED | grep -qi chiprace; then
    fail "the plug-in links a chiprace library: $(readelf -d "$plugin" | grep -F NEEDED)"
fi
for entry in chiprace_plugin_abi chiprace_plugin_build chiprace_plugin_version chiprace_plugin_models; do
    nm -D --defined-only "$plugin" | grep -qw "$entry" || fail "the plug-in does not export $entry"
done
if nm -DC --defined-only "$plugin" | grep -q 'toy_race::'; then
    fail "the plug-in exports its own symbols: $(nm -DC --defined-only "$plugin" | grep 'toy_race::')"
fi

echo "== the model's own tests (ctest in its build)"
"$ctest" --test-dir "$model_build" --output-on-failure > "$work/ctest.log" 2>&1 \
    || { cat "$work/ctest.log"; fail "the model's tests failed"; }
grep -E 'tests passed|Test +#' "$work/ctest.log" | sed 's/^/   /'
# Its tests of the experiment exist only when the installed chiprace was found: they must run.
grep -q 'toy_race: run the experiment .*Passed' "$work/ctest.log" \
    || fail "the model's ctest did not run its experiment with the installed chiprace"

echo "== $prefix/bin/chiprace run experiment.toml (the plug-in from [experiment] plugins)"
result="$work/toy_race.h5"
"$prefix/bin/chiprace" models toy_race --plugin "$plugin" > "$work/models.log" 2>&1 \
    || { cat "$work/models.log"; fail "chiprace models toy_race --plugin failed"; }
for word in start_year new_chips smuggled_share enforcement china_stock; do
    grep -qw "$word" "$work/models.log" || { cat "$work/models.log"; fail "chiprace models does not list $word"; }
done
(cd "$model_build" && "$prefix/bin/chiprace" validate experiment.toml) > "$work/validate.log" 2>&1 \
    || { cat "$work/validate.log"; fail "chiprace validate failed"; }
(cd "$model_build" && "$prefix/bin/chiprace" run experiment.toml --output "$result" --quiet) \
    > "$work/run.log" 2>&1 || { cat "$work/run.log"; fail "chiprace run failed"; }
"$prefix/bin/chiprace" info "$result" > "$work/info.log" 2>&1 \
    || { cat "$work/info.log"; fail "chiprace info failed"; }
sed 's/^/   /' "$work/info.log" | head -n 20
for word in toy_race china_stock libtoy_race.so; do
    grep -qF "$word" "$work/info.log" || fail "chiprace info does not mention $word"
done

echo "== the result file records the model and the plug-in"
sha="$(sha256sum "$plugin" | cut -d' ' -f1)"
"$python" - "$result" "$(realpath "$plugin")" "$sha" <<'PY' || fail "the result file's provenance is incomplete"
import json
import sys

import h5py

path, plugin, sha = sys.argv[1:4]
problems = []
with h5py.File(path, "r") as f:
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    if attrs.get("model") != "toy_race":
        problems.append(f"root attribute model is {attrs.get('model')!r}, not 'toy_race'")
    if attrs.get("model_version") != 1:
        problems.append(f"root attribute model_version is {attrs.get('model_version')!r}, not 1")
    line = f"{plugin} version 1.0.0 sha256 {sha}"
    if attrs.get("plugins") != line:
        problems.append(f"root attribute plugins is {attrs.get('plugins')!r}, not {line!r}")
    resolved = json.loads(f["config_resolved"][()])
    want = {"file": "libtoy_race.so", "path": plugin, "sha256": sha, "version": "1.0.0",
            "models": ["toy_race"]}
    got = resolved["experiment"].get("plugins")
    if got != [want]:
        problems.append(f"/config_resolved experiment.plugins is {got}, not [{want}]")
    if list(f["time"][()]) != list(range(2025, 2031)):
        problems.append(f"/time is {list(f['time'][()])}, not 2025-2030")
    # Stopping 80% of the smuggling leaves a fifth of the stock, sample by sample.
    lax = f["policies/lax/summary/china_stock/mean"][()]
    strict = f["policies/strict/summary/china_stock/mean"][()]
    if lax.shape != (6,) or not all(abs(s / l - 0.2) < 1e-9 for s, l in zip(strict, lax)):
        problems.append(f"mean china_stock: strict {strict} is not a fifth of lax {lax}")
for p in problems:
    print("  ", p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"   model toy_race 1, plug-in {plugin}, sha256 {sha[:16]}..., version 1.0.0")
PY

echo "== the same experiment without plugins = [...], the plug-in given with --plugin"
# Next to the first (include = ["priors.toml"] resolves the same); the results must be the same.
grep -v '^plugins = ' "$model_build/experiment.toml" > "$model_build/experiment_cli.toml"
cmp -s "$model_build/experiment.toml" "$model_build/experiment_cli.toml" \
    && fail "the experiment has no plugins line to remove"
result_cli="$work/toy_race_cli.h5"
(cd "$model_build" && "$prefix/bin/chiprace" run experiment_cli.toml --plugin "$plugin" \
    --output "$result_cli" --quiet) > "$work/run_cli.log" 2>&1 \
    || { cat "$work/run_cli.log"; fail "chiprace run --plugin failed"; }
"$python" - "$result" "$result_cli" <<'PY' || fail "--plugin gave other results than plugins = [...]"
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    names = []
    a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    names = [n for n in names if n.startswith(("policies/", "time", "quantile_level"))]

    def same(x, y):  # bit for bit; strings (object arrays) by value
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype.kind == "O" or y.dtype.kind == "O":
            return x.shape == y.shape and x.tolist() == y.tolist()
        return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()

    differ = [n for n in names if n not in b or not same(a[n][()], b[n][()])]
    if not names or differ:
        print(f"   {len(names)} datasets compared; different: {differ}", file=sys.stderr)
        sys.exit(1)
    print(f"   {len(names)} datasets identical (policies, time, quantile levels)")
PY

echo "== chiprace_add_model says what is wrong with a call"
# Two broken copies of the template's CMakeLists.txt: each must stop the configuration with its
# message (a configure of the copy that succeeded would make these checks pass for nothing).
expect_configure_error() { # NAME SED-EXPRESSION MESSAGE
    local broken="$work/broken-$1"
    cp -R "$model_source" "$broken"
    sed -i "$2" "$broken/CMakeLists.txt"
    cmp -s "$model_source/CMakeLists.txt" "$broken/CMakeLists.txt" && fail "sed '$2' changed nothing"
    if "$cmake" -S "$broken" -B "$broken/build" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_C_COMPILER="$cc" \
        -DCMAKE_CXX_COMPILER="$cxx" > "$broken/configure.log" 2>&1; then
        fail "$1: configuring succeeded"
    fi
    tr -s ' \n' ' ' < "$broken/configure.log" | grep -qF "$3" \
        || { cat "$broken/configure.log"; fail "$1: no message '$3'"; }
    echo "   $1: $3"
}
expect_configure_error no-sources 's/chiprace_add_model(toy_race SOURCES toy_race.cpp/chiprace_add_model(toy_race/' \
    "chiprace_add_model(toy_race): no SOURCES given"
expect_configure_error bad-name 's/chiprace_add_model(toy_race /chiprace_add_model(toy-race /' \
    "'toy-race' is not a plug-in name"

if [[ $have_git -eq 1 ]]; then
    echo "== the source tree is unchanged"
    tree_state > "$work/tree-after.txt"
    diff "$work/tree-before.txt" "$work/tree-after.txt" \
        || fail "the procedure changed the source tree $source_dir (git status above)"
fi

status=0
echo "model template test passed"
