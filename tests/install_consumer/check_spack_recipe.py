"""Checks spack/package.py without Spack (not installed on the test machine).

A stand-in for the part of Spack's package API the recipe uses (`from spack.package import *`:
CMakePackage, version, variant, depends_on, conflicts) records the directives; the recipe is
then imported, and cmake_args() is called for several specs. Checks: the file compiles; the
dependencies issue 9 asks for are declared (hdf5 with +mpi and +hl, mpi, boost, ...); every
variant maps to its CMake option with the value CMake expects; every option it sets exists in
the project's CMake files. What this cannot check is Spack itself (concretisation, fetching);
spack/README.md says so.

    python3 tests/install_consumer/check_spack_recipe.py spack/package.py
"""

import importlib.util
import pathlib
import re
import sys
import types

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


# ---- the stand-in for spack.package ------------------------------------------------------
directives = {"version": [], "variant": {}, "depends_on": [], "conflicts": []}


def version(name, **kwargs):
    directives["version"].append((name, kwargs))


def variant(name, default=None, description="", values=None, multi=False, **kwargs):
    directives["variant"][name] = {"default": default, "values": values, "multi": multi}


def depends_on(spec, type=("build", "link"), when=None, **kwargs):
    kinds = (type,) if isinstance(type, str) else tuple(type)
    directives["depends_on"].append((spec, kinds, when))


def conflicts(spec, when=None, msg=None):
    directives["conflicts"].append((spec, when, msg))


class Variant:
    def __init__(self, value):
        self.value = value


class Spec:
    """Variant values, and satisfies() for '+name' / '~name' only."""

    def __init__(self, values):
        self.variants = {name: Variant(value) for name, value in values.items()}

    def satisfies(self, constraint):
        m = re.fullmatch(r"([+~])(\w+)", constraint)
        if not m:
            raise ValueError(f"stand-in Spec.satisfies cannot evaluate {constraint!r}")
        return self.variants[m.group(2)].value is (m.group(1) == "+")


class CMakePackage:
    """define / define_from_variant as Spack's CMakeBuilder writes them."""

    run_tests = False

    def __init__(self, spec):
        self.spec = spec

    @staticmethod
    def define(name, value):
        if isinstance(value, bool):
            return f"-D{name}:BOOL={'ON' if value else 'OFF'}"
        if isinstance(value, (list, tuple)):
            value = ";".join(str(v) for v in value)
        return f"-D{name}:STRING={value}"

    def define_from_variant(self, name, variant_name=None):
        variant_name = variant_name or name.lower()
        if variant_name not in directives["variant"]:
            raise KeyError(f"variant {variant_name!r} is not declared")
        return self.define(name, self.spec.variants[variant_name].value)


spack = types.ModuleType("spack")
package_api = types.ModuleType("spack.package")
for name, obj in [("CMakePackage", CMakePackage), ("version", version), ("variant", variant),
                  ("depends_on", depends_on), ("conflicts", conflicts)]:
    setattr(package_api, name, obj)
package_api.__all__ = ["CMakePackage", "version", "variant", "depends_on", "conflicts"]
spack.package = package_api
sys.modules["spack"] = spack
sys.modules["spack.package"] = package_api

# ---- the recipe --------------------------------------------------------------------------
recipe = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "spack/package.py").resolve()
source = recipe.read_text()
compile(source, str(recipe), "exec")  # a SyntaxError fails the test
print(f"ok   {recipe} compiles")
module_spec = importlib.util.spec_from_file_location("chiprace_spack_recipe", recipe)
module = importlib.util.module_from_spec(module_spec)
module_spec.loader.exec_module(module)
Chiprace = module.Chiprace
check(issubclass(Chiprace, CMakePackage), "class Chiprace(CMakePackage)")
check(("main", {"branch": "main"}) in directives["version"], 'version("main", branch="main")')
check(bool(getattr(Chiprace, "git", "")) and bool(getattr(Chiprace, "homepage", "")),
      "homepage and git are set")


def dependency(name):
    return [(spec, kinds, when) for spec, kinds, when in directives["depends_on"]
            if re.match(rf"{re.escape(name)}(?![\w-])", spec)]


for name in ["mpi", "hdf5", "boost", "tomlplusplus", "cli11", "nlohmann-json", "random123",
             "cmake", "doctest"]:
    check(bool(dependency(name)), f"depends on {name}")
hdf5 = [spec for spec, _, _ in dependency("hdf5")]
check(any("+mpi" in s and "+hl" in s for s in hdf5), "hdf5 with +mpi and +hl")
check(all("build" in kinds and "link" not in kinds for _, kinds, _ in dependency("cmake")),
      "cmake is a build dependency only")
check(any(kinds == ("test",) for _, kinds, _ in dependency("doctest")),
      "doctest is a test dependency")
check(all("link" not in kinds for _, kinds, _ in dependency("doctest")),
      "doctest is never linked into the installed package")

defaults = {name: v["default"] for name, v in directives["variant"].items()}
check(set(defaults) == {"shared", "tests", "sanitize", "arch"},
      f"variants shared, tests, sanitize, arch (declared: {sorted(defaults)})")
check(defaults.get("arch") == "none", "arch defaults to none (Spack passes target flags)")


def args_for(**values):
    pkg = Chiprace(Spec({**defaults, **values}))
    return pkg.cmake_args()


default_args = args_for()
print("     default cmake_args:", " ".join(default_args))
expected_default = {
    "-DBUILD_SHARED_LIBS:BOOL=OFF",
    "-DCHIPRACE_BUILD_TESTS:BOOL=OFF",
    "-DCHIPRACE_SANITIZE:BOOL=OFF",
    "-DCHIPRACE_ARCH:STRING=",
    "-DCHIPRACE_WARNINGS_AS_ERRORS:BOOL=OFF",
}
check(expected_default <= set(default_args), "defaults: static, no tests, no sanitizer, no -march, no -Werror")
varied = set(args_for(shared=True, tests=True, sanitize=True, arch="znver3"))
for expected in ["-DBUILD_SHARED_LIBS:BOOL=ON", "-DCHIPRACE_BUILD_TESTS:BOOL=ON",
                 "-DCHIPRACE_SANITIZE:BOOL=ON", "-DCHIPRACE_ARCH:STRING=znver3"]:
    check(expected in varied, f"variant -> {expected}")
Chiprace.run_tests = True  # spack install --test=root
check("-DCHIPRACE_BUILD_TESTS:BOOL=ON" in args_for(), "--test=root turns the tests on")
Chiprace.run_tests = False

# Every CHIPRACE_* option the recipe sets must exist in the project's CMake files, so that a
# renamed option cannot silently stop working in the recipe.
project = recipe.parent.parent
cmake_text = "\n".join(p.read_text() for p in [project / "CMakeLists.txt",
                                                 project / "tests" / "CMakeLists.txt"])
names = {re.match(r"-D(\w+)", arg).group(1) for arg in varied | set(default_args)}
for name in sorted(names):
    if name.startswith("CHIPRACE_"):
        check(re.search(rf"\b(option|set)\(\s*{name}\b", cmake_text) is not None,
              f"{name} is an option of the project")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("spack recipe: all checks passed")
