# chiprace_add_model(): build a model plug-in, the shared library chiprace loads with dlopen
# from an experiment's `[experiment] plugins = [...]` or `--plugin PATH`
# (docs/writing-a-model.md). Included by the top CMakeLists.txt (the examples built in-tree) and
# by the installed package's chiprace-config.cmake, so that after find_package(chiprace):
#
#   chiprace_add_model(<name> SOURCES <files...> [VERSION <x.y.z>] [PRIORS <files...>])
#
# builds lib<name>.so (a MODULE library) from SOURCES, one of which ends with
# CHIPRACE_PLUGIN(...). It is compiled against chiprace::model_interface only (the header-only
# model interface, C++20, -ffp-contract=off): a plug-in needs no symbol of libchiprace, so the
# link refuses one that asks for any (--no-undefined), instead of chiprace failing to load it.
# Every symbol is hidden except the entry points CHIPRACE_PLUGIN marks, so two plug-ins loaded
# together never mix up their classes. Block loops may use `#pragma omp simd` (-fopenmp-simd). CHIPRACE_PLUGIN_VERSION is VERSION, else the enclosing
# project's version, else "unversioned"; chiprace records it with the plug-in's sha256.
# PRIORS (paths relative to the calling CMakeLists.txt) are copied next to the library by the
# default build target, so that an experiment beside it can include them.

include_guard(GLOBAL)

function(chiprace_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "VERSION" "SOURCES;PRIORS")
  set(usage "chiprace_add_model(<name> SOURCES <files...> [VERSION <x.y.z>] [PRIORS <files...>])")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "chiprace_add_model(${name}): unexpected arguments "
                        "'${arg_UNPARSED_ARGUMENTS}'. Usage: ${usage}")
  endif()
  # The name becomes the file lib<name>.so and, usually, the model's name in experiment files,
  # which takes letters, digits and '_'.
  if(NOT name MATCHES "^[A-Za-z][A-Za-z0-9_]*$")
    message(FATAL_ERROR "chiprace_add_model: '${name}' is not a plug-in name: use a letter "
                        "followed by letters, digits and '_' (it names lib<name>.so). "
                        "Usage: ${usage}")
  endif()
  if(TARGET ${name})
    message(FATAL_ERROR "chiprace_add_model(${name}): a target named '${name}' exists already")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "chiprace_add_model(${name}): no SOURCES given; list the model's source "
                        "files, one of them ending with CHIPRACE_PLUGIN(...). Usage: ${usage}")
  endif()
  if(NOT TARGET chiprace::model_interface)
    message(FATAL_ERROR "chiprace_add_model(${name}): the target chiprace::model_interface is "
                        "not defined; call find_package(chiprace) first")
  endif()

  if("VERSION" IN_LIST arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "chiprace_add_model(${name}): VERSION needs a value, e.g. VERSION 1.0.0")
  elseif(DEFINED arg_VERSION)
    set(version "${arg_VERSION}")
  elseif(PROJECT_VERSION)
    set(version "${PROJECT_VERSION}")
  else()
    set(version "unversioned")
  endif()
  # It becomes a string literal in the plug-in and an attribute of result files.
  if(NOT version MATCHES "^[A-Za-z0-9][A-Za-z0-9.+_-]*$")
    message(FATAL_ERROR "chiprace_add_model(${name}): VERSION '${version}' is not a version: "
                        "use digits, letters, '.', '+', '-' and '_', e.g. 1.2.0")
  endif()

  set(priors "")
  foreach(file IN LISTS arg_PRIORS)
    cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    if(NOT EXISTS "${file}" OR IS_DIRECTORY "${file}")
      message(FATAL_ERROR "chiprace_add_model(${name}): PRIORS file '${file}' does not exist")
    endif()
    list(APPEND priors "${file}")
  endforeach()

  add_library(${name} MODULE ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE chiprace::model_interface)
  target_compile_definitions(${name} PRIVATE "CHIPRACE_PLUGIN_VERSION=\"${version}\"")
  # As for the built-in models: `#pragma omp simd` vectorises a block loop at -O2 (without the
  # OpenMP runtime), and selects (min, max, a ? b : c) may become vector blends. Neither changes
  # a value; -ffp-contract=off (from the interface) keeps vector and scalar bits the same.
  target_compile_options(${name} PRIVATE
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang,IntelLLVM>:-fopenmp-simd -fno-trapping-math>)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON
    CHIPRACE_PLUGIN_VERSION "${version}")
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()

  if(priors)
    # A custom target runs at every build (copy_if_different keeps it cheap), so an edited
    # priors file reaches the build directory without a re-link.
    add_custom_target(${name}_priors ALL
      COMMAND "${CMAKE_COMMAND}" -E copy_if_different ${priors} "$<TARGET_FILE_DIR:${name}>"
      DEPENDS ${priors}
      COMMENT "Copying the priors of ${name} next to lib${name}.so"
      VERBATIM)
    add_dependencies(${name}_priors ${name})
  endif()
endfunction()
