#!/usr/bin/env bash
# Installs what chiprace needs (Debian 12 packages, as root), then configures and builds it
# with a CMake preset. Idempotent: with everything present it only runs an incremental build.
#
#   scripts/setup.sh [PRESET]      PRESET: release (default), ci, dev
#
# Without root or apt (a cluster login node, say), it lists what is missing and which
# environment modules usually provide it, and exits 1. CHIPRACE_SKIP_DEPS=1 skips the package
# check when the dependencies come from modules or Spack instead.
set -euo pipefail
preset=${1:-release}
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
    g++ make cmake git
    libopenmpi-dev openmpi-bin
    libhdf5-openmpi-dev hdf5-tools
    libboost-dev librandom123-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev doctest-dev
    python3-h5py python3-numpy python3-matplotlib python3-xarray python3-netcdf4
)

explain_modules() {
    cat >&2 <<'TXT'
On a cluster without root, load the equivalents before building, for example:
    module load gcc/12 cmake/3.25 openmpi/4 hdf5/1.10-openmpi boost/1.74 python/3
(names differ by site: `module avail hdf5` shows yours; HDF5 must be the MPI build).
The header-only libraries toml++ (>= 3), CLI11 (>= 2), nlohmann-json (>= 3), doctest and
Random123 come from Spack (spack install tomlplusplus cli11 nlohmann-json doctest random123)
or from their source trees; point CMAKE_PREFIX_PATH at them. Then run
    CHIPRACE_SKIP_DEPS=1 scripts/setup.sh [release|ci|dev]
TXT
}

if [ "${CHIPRACE_SKIP_DEPS:-0}" != 1 ]; then
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "setup: this is not a Debian-based system, so packages cannot be checked." >&2
        explain_modules
        exit 1
    fi
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
            echo "setup: missing Debian packages: ${missing[*]}" >&2
            echo "As root: apt-get install --no-install-recommends ${missing[*]}" >&2
            explain_modules
            exit 1
        fi
        echo "setup: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

if [ ! -f "build/$preset/CMakeCache.txt" ]; then
    cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset" -j "$(nproc)"
