# FindRandom123: the Random123 counter-based random number generators (D. E. Shaw Research),
# a header-only library that ships no CMake package of its own.
#
# Used by chiprace's own build (the top CMakeLists.txt) and installed next to
# chiprace-config.cmake, which calls it through find_dependency(Random123) so that a consumer of
# the installed package gets the same imported target the library was built against.
#
# Result:
#   Random123_FOUND          true when Random123/philox.h was found
#   RANDOM123_INCLUDE_DIR    (cache) the directory holding Random123/
#   Random123::Random123     INTERFACE IMPORTED target carrying that include directory
#
# Hints: Random123_ROOT (variable or environment), CMAKE_PREFIX_PATH, or set
# RANDOM123_INCLUDE_DIR directly. Debian: librandom123-dev; Spack: random123.

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h
          DOC "Random123 headers (Debian: librandom123-dev; Spack: random123)")
mark_as_advanced(RANDOM123_INCLUDE_DIR)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Random123
  REQUIRED_VARS RANDOM123_INCLUDE_DIR
  REASON_FAILURE_MESSAGE
    "Random123/philox.h not found: set RANDOM123_INCLUDE_DIR or Random123_ROOT. Debian: apt-get install librandom123-dev. Spack: spack install random123")

if(Random123_FOUND AND NOT TARGET Random123::Random123)
  add_library(Random123::Random123 INTERFACE IMPORTED)
  target_include_directories(Random123::Random123 SYSTEM INTERFACE "${RANDOM123_INCLUDE_DIR}")
endif()
