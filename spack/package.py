# Spack recipe for chiprace (issue 9, point 6). Not in Spack's builtin repository: put it in a
# repository of your own (spack/README.md) and `spack install chiprace@main`.
#
# Checked in this tree by tests/install_consumer/check_spack_recipe.py (ctest -L install)
# against a stand-in for spack.package, as Spack itself is not installed on the test machine:
# it compiles, declares the dependencies below and maps each variant to its CMake option. It
# has not been run by a real Spack.

from spack.package import *


class Chiprace(CMakePackage):
    """Distributed Monte Carlo for the AI-compute race under export controls: MPI ranks and
    OpenMP threads evaluate uncertainty and sensitivity designs (Monte Carlo, Latin hypercube,
    Sobol', Saltelli, Morris, grids) of a model of AI-chip supply, writing results and
    summaries to parallel HDF5. Installs the `chiprace` executable, the C++ library and headers,
    and a CMake package (find_package(chiprace) -> chiprace::chiprace)."""

    # Placeholders: the project has no public home yet. Point `git` at your site's mirror of the
    # repository (or use `spack develop`, spack/README.md) before installing.
    homepage = "https://example.invalid/chiprace"
    git = "https://example.invalid/chiprace.git"

    version("main", branch="main")

    variant("shared", default=False, description="Build libchiprace as a shared library")
    variant(
        "tests",
        default=False,
        description="Build the doctest unit, MPI, integration and install tests "
        "(CHIPRACE_BUILD_TESTS); they also build with `spack install --test=root`",
    )
    variant(
        "sanitize",
        default=False,
        description="Instrument with AddressSanitizer and UBSan (CHIPRACE_SANITIZE); "
        "for debugging, not for production runs",
    )
    variant(
        "arch",
        default="none",
        values=lambda x: True,  # any -march value the compiler accepts
        multi=False,
        description="-march target (CHIPRACE_ARCH), e.g. native or znver3; none: only the "
        "target flags Spack itself passes for the spec's target=",
    )

    depends_on("c", type="build")  # C is enabled for FindMPI/FindHDF5's C components
    depends_on("cxx", type="build")  # C++20: GCC 11+, Clang 14+
    depends_on("cmake@3.25:", type="build")

    # The public headers include mpi.h, hdf5.h, toml++, nlohmann/json and Random123: consumers
    # of the installed package compile against them (build + link, the default type).
    depends_on("mpi")
    depends_on("hdf5+mpi+hl")  # parallel HDF5; hl: dimension scales (H5DS)
    depends_on("tomlplusplus@3:")
    depends_on("nlohmann-json@3:")
    depends_on("random123")
    # Header-only and used only inside the library (not part of the installed package's
    # interface), so needed at build time only.
    depends_on("boost@1.74:", type="build")
    depends_on("cli11@2:", type="build")
    # Tests: doctest for `spack install --test=root`, and to build them with +tests.
    depends_on("doctest", type="test")
    depends_on("doctest", type="build", when="+tests")

    conflicts("%gcc@:10", msg="chiprace needs C++20 (GCC 11 or newer)")
    conflicts("%clang@:13", msg="chiprace needs C++20 (Clang 14 or newer)")

    def cmake_args(self):
        arch = self.spec.variants["arch"].value
        return [
            self.define_from_variant("BUILD_SHARED_LIBS", "shared"),
            # Tests are built when asked for by the variant or by --test.
            self.define("CHIPRACE_BUILD_TESTS", self.spec.satisfies("+tests") or self.run_tests),
            self.define_from_variant("CHIPRACE_SANITIZE", "sanitize"),
            self.define("CHIPRACE_ARCH", "" if arch == "none" else arch),
            # A warning from a newer compiler must not fail a site's install.
            self.define("CHIPRACE_WARNINGS_AS_ERRORS", False),
            # The Slurm tests start a local Slurm cluster (root, apt): not in a Spack build.
            self.define("CHIPRACE_SLURM_TESTS", False),
        ]
