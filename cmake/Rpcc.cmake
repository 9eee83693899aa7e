# Rpcc.cmake: generate Centrifugo clients with rpcc from CMake (3.20 or newer; Ninja and Makefile generators).
#
#   list(APPEND CMAKE_MODULE_PATH /path/to/rpcc/cmake)    # or ${PREFIX}/share/rpcc/cmake once installed
#   include(Rpcc)
#   rpcc_generate(
#     SOURCE api/tasks.rpc                   # the main .rpc file (relative: to the current source dir)
#     [OUTPUT_DIR dir]                       # default: ${CMAKE_CURRENT_BINARY_DIR}/<stem of SOURCE>
#     [LANGUAGES python typescript go]       # default: all three
#     [INCLUDE_DIRS dir...]                  # -I, relative: to the current source dir
#     [LICENSE spdx]                         # --license: the licence field of pyproject.toml and package.json
#     [GO_MODULE path]                       # --go-module: the Go module path (default: the package name)
#     [GO_WEBSOCKET coder|nhooyr]            # --go-websocket: GitHub's coder/websocket (default) or nhooyr.io
#     [OPTIONS --package-name tasks ...]     # any other rpcc options
#     [OUTPUTS_VAR var]                      # set to the list of generated files, for add_library() and the like
#     [TARGET name [ALL]])                   # a custom target that generates (ALL: as part of the default build)
#
# The rule is an add_custom_command() with a DEPFILE written by rpcc (-MD -MF -MT -MP): editing any imported .rpc
# regenerates, and a deleted import reruns rpcc, which reports the file it cannot find. The first OUTPUT is a stamp
# touched after every run: rpcc leaves files whose content did not change untouched, so what depends on them is
# not rebuilt for nothing, and the stamp keeps the rule from running again on the next build.
#
# When a target other than TARGET uses the files, add_dependencies(that_target TARGET): the Makefile generators
# otherwise attach the rule to both targets (CMake's rule for custom commands whose outputs several targets use).
#
# Generators differ in one way: Ninja (restat) rebuilds nothing downstream when rpcc rewrote no file; the Makefile
# generators touch every output after the rule ran. And CMake 3.25's Makefile generator keeps the dependencies of
# earlier depfiles: after an import is removed from the .rpc and deleted, rpcc reruns on every build (a few
# milliseconds, output unchanged) until the build directory is cleaned. Ninja has neither limitation.
#
# rpcc is RPCC_EXECUTABLE (a cache variable; found on PATH when not set). The list of files comes from
# `rpcc --list-outputs` at configure time: it depends on the options (LANGUAGES), not on the .rpc content.

cmake_minimum_required(VERSION 3.20)

if(NOT RPCC_EXECUTABLE)
  find_program(RPCC_EXECUTABLE NAMES rpcc DOC "The rpcc compiler")
endif()

# Functions record the policies in effect where they are defined: CMP0116 NEW makes the depfile's relative paths
# mean what rpcc meant (relative to the working directory) under both Ninja and Makefiles.
cmake_policy(PUSH)
cmake_policy(SET CMP0116 NEW)

function(rpcc_generate)
  cmake_parse_arguments(PARSE_ARGV 0 arg "ALL" "SOURCE;OUTPUT_DIR;OUTPUTS_VAR;TARGET;LICENSE;GO_MODULE;GO_WEBSOCKET"
                        "LANGUAGES;INCLUDE_DIRS;OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "rpcc_generate: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCE)
    message(FATAL_ERROR "rpcc_generate: SOURCE is required")
  endif()
  if(NOT RPCC_EXECUTABLE)
    message(FATAL_ERROR "rpcc_generate: rpcc not found; set RPCC_EXECUTABLE to its path")
  endif()

  get_filename_component(source "${arg_SOURCE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(stem "${source}" NAME_WLE)
  if(arg_OUTPUT_DIR)
    get_filename_component(output_dir "${arg_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(output_dir "${CMAKE_CURRENT_BINARY_DIR}/${stem}")
  endif()

  set(flags)
  if(arg_LANGUAGES)
    list(JOIN arg_LANGUAGES "," languages)
    list(APPEND flags --lang "${languages}")
  endif()
  foreach(dir IN LISTS arg_INCLUDE_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND flags -I "${dir}")
  endforeach()
  if(arg_LICENSE)
    list(APPEND flags --license "${arg_LICENSE}")
  endif()
  if(arg_GO_MODULE)
    list(APPEND flags --go-module "${arg_GO_MODULE}")
  endif()
  if(arg_GO_WEBSOCKET)
    if(NOT arg_GO_WEBSOCKET MATCHES "^(coder|nhooyr)$")
      message(FATAL_ERROR "rpcc_generate: GO_WEBSOCKET is coder or nhooyr, not '${arg_GO_WEBSOCKET}'")
    endif()
    list(APPEND flags "--go-websocket=${arg_GO_WEBSOCKET}")
  endif()
  list(APPEND flags ${arg_OPTIONS})

  # The files a run writes, without running it (rpcc checks the input here too: a broken .rpc fails configure).
  execute_process(
    COMMAND "${RPCC_EXECUTABLE}" ${flags} --list-outputs -o "${output_dir}" "${source}"
    OUTPUT_VARIABLE listed
    ERROR_VARIABLE listing_errors
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "rpcc_generate: `rpcc --list-outputs` failed for ${source}:\n${listing_errors}")
  endif()
  string(STRIP "${listed}" listed)
  string(REPLACE "\n" ";" outputs "${listed}")

  set(stamp "${output_dir}.stamp")
  set(depfile "${output_dir}.d")
  file(RELATIVE_PATH shown "${CMAKE_BINARY_DIR}" "${output_dir}")
  add_custom_command(
    OUTPUT "${stamp}" ${outputs}
    COMMAND "${RPCC_EXECUTABLE}" ${flags} "${source}" -o "${output_dir}" -MD -MF "${depfile}" -MT "${stamp}" -MP
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS "${source}" "${RPCC_EXECUTABLE}"
    DEPFILE "${depfile}"
    WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
    COMMENT "rpcc: generating ${shown} from ${arg_SOURCE}"
    VERBATIM)

  if(arg_OUTPUTS_VAR)
    set(${arg_OUTPUTS_VAR} ${outputs} PARENT_SCOPE)
  endif()
  if(arg_TARGET)
    set(all)
    if(arg_ALL)
      set(all ALL)
    endif()
    add_custom_target(${arg_TARGET} ${all} DEPENDS "${stamp}" ${outputs})
  endif()
endfunction()

cmake_policy(POP)
