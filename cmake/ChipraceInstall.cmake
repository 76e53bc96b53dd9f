# Installation and the CMake package (issue 9, point 6). Included from the top CMakeLists.txt
# after the chiprace library and the chiprace_exe executable are defined.
#
#   cmake --install build/release --prefix /opt/chiprace
#
#   <prefix>/bin/chiprace                             the executable
#   <prefix>/include/chiprace/**.hpp                  public headers, version.hpp, git_revision.hpp
#   <prefix>/lib/libchiprace.a (or .so)               static or shared, as built (BUILD_SHARED_LIBS)
#   <prefix>/lib/cmake/chiprace/                      find_package(chiprace) -> chiprace::chiprace,
#                                                     chiprace::model_interface, chiprace_add_model
#
# (lib may be lib64 etc.: GNUInstallDirs.) tests/install_consumer/ builds a project against it;
# tests/install_model_template/ builds examples/model-template/ against it, as a plug-in.

include(CMakePackageConfigHelpers)

set(CHIPRACE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/chiprace"
    CACHE STRING "Where the chiprace CMake package files go, relative to the prefix")
mark_as_advanced(CHIPRACE_INSTALL_CMAKEDIR)

get_target_property(CHIPRACE_LIBRARY_TYPE chiprace TYPE) # STATIC_LIBRARY or SHARED_LIBRARY

# A shared library gets a version; 0.x releases make no ABI promise between minor versions, so
# the soname carries major.minor (libchiprace.so.0.1).
if(CHIPRACE_LIBRARY_TYPE STREQUAL "SHARED_LIBRARY")
  set_target_properties(chiprace PROPERTIES
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
endif()

# The installed executable finds libchiprace.so (shared builds) next to it, and the dependency
# libraries it was linked against outside the system directories (a site's MPI and HDF5 in
# /opt or a Spack tree) without LD_LIBRARY_PATH. A CMAKE_INSTALL_RPATH given by the caller
# (Spack passes its own) is left alone.
if(NOT DEFINED CMAKE_INSTALL_RPATH)
  set_target_properties(chiprace_exe PROPERTIES
    INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}"
    INSTALL_RPATH_USE_LINK_PATH ON)
endif()

# ---- what the exported target adds for consumers ---------------------------------------------
# The build's flags live in chiprace_options, linked as $<BUILD_INTERFACE:...>, so none reach
# a consumer. Two things must:
# - -ffp-contract=off: public headers hold inline arithmetic (numeric/elementary_functions.hpp)
#   whose documented bits (identical in vector and scalar code) assume no fused multiply-add
#   contraction. GCC contracts by default in C++; the flag is a semantics flag, not a warning.
# - A sanitizer build (CHIPRACE_SANITIZE) has instrumented objects that need the sanitizer
#   runtime at link time, static or shared alike.
target_compile_options(chiprace INTERFACE
  "$<INSTALL_INTERFACE:$<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang,IntelLLVM>:-ffp-contract=off>>")
if(CHIPRACE_SANITIZE)
  target_link_options(chiprace INTERFACE "$<INSTALL_INTERFACE:-fsanitize=address,undefined>")
endif()

# ---- files ------------------------------------------------------------------------------------
install(TARGETS chiprace_exe
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS chiprace EXPORT chiprace-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
          NAMELINK_COMPONENT development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
# The model interface a plug-in compiles against: headers only, nothing to install but its
# usage requirements (include directory, C++20, -ffp-contract=off).
set_target_properties(chiprace_model_interface PROPERTIES EXPORT_NAME model_interface)
install(TARGETS chiprace_model_interface EXPORT chiprace-targets)
install(DIRECTORY include/chiprace
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development
  FILES_MATCHING PATTERN "*.hpp")
# Generated: version.hpp at configure time, git_revision.hpp by the build (chiprace_git_revision).
install(FILES ${CHIPRACE_GENERATED_DIR}/chiprace/version.hpp
              ${CHIPRACE_GENERATED_DIR}/chiprace/git_revision.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/chiprace COMPONENT development)

# ---- the CMake package ------------------------------------------------------------------------
install(EXPORT chiprace-targets
  NAMESPACE chiprace::
  FILE chiprace-targets.cmake
  DESTINATION ${CHIPRACE_INSTALL_CMAKEDIR} COMPONENT development)
configure_package_config_file(cmake/chiprace-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/chiprace-config.cmake
  INSTALL_DESTINATION ${CHIPRACE_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR) # chiprace_EXECUTABLE, relative to the package's own place
# 0.x: minor versions may break the API, so 0.1 satisfies a request for 0.1 (or 0.1.x) but not
# 0.2; from 1.0 on, the same major version.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_chiprace_compatibility SameMinorVersion)
else()
  set(_chiprace_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/chiprace-config-version.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY ${_chiprace_compatibility})
unset(_chiprace_compatibility)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/chiprace-config.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/chiprace-config-version.cmake
              ${CMAKE_CURRENT_SOURCE_DIR}/cmake/FindRandom123.cmake
              ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ChipraceAddModel.cmake
  DESTINATION ${CHIPRACE_INSTALL_CMAKEDIR} COMPONENT development)
