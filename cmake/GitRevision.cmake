# Run at build time (cmake -P) so that the revision in the binary is the one it was built
# from, not the one present when CMake last configured. Rewrites the header only when its
# content changes, so an unchanged tree does not trigger a relink.
execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse HEAD
                OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR rev STREQUAL "")
  set(rev "unknown")
  set(dirty "false")
else()
  execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                  OUTPUT_VARIABLE status OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(status STREQUAL "")
    set(dirty "false")
  else()
    set(dirty "true")
  endif()
endif()
set(content "// Generated at build time by cmake/GitRevision.cmake: do not edit.
#pragma once

namespace chiprace::build {
inline constexpr const char* git_revision = \"${rev}\";
inline constexpr bool git_dirty = ${dirty};
} // namespace chiprace::build
")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
