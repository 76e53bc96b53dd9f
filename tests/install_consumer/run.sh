#!/usr/bin/env bash
# Install test (issue 9, point 6): `cmake --install` of a built chiprace tree into a temporary
# prefix, then a separate project (this directory) configured, built and run against that prefix
# only. Fails when any step fails: a missing installed file, a find_dependency the package
# config forgets, a usage requirement that leaks the build's flags, a consumer that does not
# compile or link, or a check in main.cpp.
#
#   tests/install_consumer/run.sh [BUILD_DIR]        (ctest: "install: consumer project")
#
# BUILD_DIR (argument or environment) is a configured and built chiprace tree; the compiler,
# build type and sanitizer setting are read from its CMakeCache.txt. CMAKE (environment) is the
# cmake to use (ctest passes its own). The prefix is removed on success and kept on failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="${SOURCE_DIR:-$(cd "$here/../.." && pwd)}"
build_dir="${1:-${BUILD_DIR:-}}"
cmake="${CMAKE:-cmake}"
if [[ -z "$build_dir" || ! -f "$build_dir/CMakeCache.txt" ]]; then
    echo "usage: $0 BUILD_DIR (a configured and built chiprace build tree)" >&2
    exit 2
fi
build_dir="$(cd "$build_dir" && pwd)"

cache_value() { # the value of a CMakeCache.txt entry, empty when absent
    sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt" | head -n1
}
cxx="$(cache_value CMAKE_CXX_COMPILER)"
cc="$(cache_value CMAKE_C_COMPILER)"
build_type="$(cache_value CMAKE_BUILD_TYPE)"
sanitize="$(cache_value CHIPRACE_SANITIZE)"

work="$(mktemp -d "${TMPDIR:-/tmp}/chiprace-install-test.XXXXXX")"
prefix="$work/prefix"
consumer_build="$work/consumer-build"
status=1
cleanup() {
    if [[ $status -eq 0 ]]; then
        rm -rf "$work"
    else
        echo "install test FAILED; prefix and consumer build kept in $work" >&2
    fi
}
trap cleanup EXIT
fail() {
    echo "install test: $*" >&2
    exit 1
}

echo "== cmake --install $build_dir --prefix $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix" > "$work/install.log" \
    || { cat "$work/install.log"; fail "cmake --install failed"; }

echo "== installed files"
config="$(find "$prefix" -path '*/cmake/chiprace/chiprace-config.cmake' | head -n1)"
[[ -n "$config" ]] || fail "no lib*/cmake/chiprace/chiprace-config.cmake under $prefix"
package_dir="$(dirname "$config")"
for f in chiprace-config-version.cmake chiprace-targets.cmake FindRandom123.cmake; do
    [[ -f "$package_dir/$f" ]] || fail "missing $package_dir/$f"
done
for f in bin/chiprace include/chiprace/version.hpp include/chiprace/git_revision.hpp \
         include/chiprace/config/experiment_loader.hpp include/chiprace/random/counter_stream.hpp; do
    [[ -e "$prefix/$f" ]] || fail "missing $prefix/$f"
done
lib="$(find "$prefix" \( -name 'libchiprace.a' -o -name 'libchiprace.so*' \) | head -n1)"
[[ -n "$lib" ]] || fail "no libchiprace.a or libchiprace.so under $prefix"
echo "   $lib"
echo "   $(find "$prefix/include/chiprace" -name '*.hpp' | wc -l) headers, package in $package_dir"

# The exported target must not carry the build's own settings, nor paths into the source or
# build tree (the prefix must work after the build tree is gone, or moved to another machine).
echo "== exported usage requirements"
exported="$(cat "$package_dir"/chiprace-targets*.cmake)"
for bad in -Werror -Wall -Wshadow -march= chiprace_options OMPI_SKIP_MPICXX \
           "$source_dir" "$build_dir"; do
    if grep -qF -- "$bad" <<<"$exported"; then
        fail "the exported chiprace::chiprace contains '$bad'"
    fi
done
if [[ "$sanitize" != "ON" ]] && grep -qF -- -fsanitize <<<"$exported"; then
    fail "the exported chiprace::chiprace asks for a sanitizer, but the build has none"
fi
grep -E 'INTERFACE_(LINK_LIBRARIES|COMPILE_OPTIONS|COMPILE_FEATURES|INCLUDE_DIRECTORIES)' \
    "$package_dir/chiprace-targets.cmake" | sed 's/^ */   /'

echo "== installed executable"
"$prefix/bin/chiprace" --version > "$work/version.txt" \
    || { cat "$work/version.txt"; fail "$prefix/bin/chiprace --version failed"; }
head -n1 "$work/version.txt" | sed 's/^/   /'

echo "== configure the consumer against $prefix only"
# No user package registry: the consumer must find the installed package, nothing else.
"$cmake" -S "$here" -B "$consumer_build" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE="${build_type:-Release}" \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > "$work/configure.log" 2>&1 \
    || { cat "$work/configure.log"; fail "configuring the consumer failed"; }
grep -E 'chiprace [0-9]' "$work/configure.log" | sed 's/^-- /   /'
found_dir="$(sed -n 's/^chiprace_DIR:PATH=//p' "$consumer_build/CMakeCache.txt")"
[[ "$found_dir" == "$prefix"/* ]] || fail "the consumer found chiprace in $found_dir, not in $prefix"

echo "== build the consumer"
"$cmake" --build "$consumer_build" > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "building the consumer failed"; }
compile_line="$(grep -F '"command"' "$consumer_build/compile_commands.json" | head -n1)"
for bad in -Werror -Wshadow -march=; do
    if grep -qF -- "$bad" <<<"$compile_line"; then
        fail "the consumer's compile line has '$bad': $compile_line"
    fi
done

echo "== run the consumer"
"$consumer_build/install_consumer" "$source_dir/experiments/ishigami.toml" \
    || fail "the consumer's checks failed"

status=0
echo "install test passed"
