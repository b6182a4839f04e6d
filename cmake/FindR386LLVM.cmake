# LLVM 19 through llvm-config-19, linked statically (only the components
# r386 uses): a binary linked against the shared libLLVM spends ~46 ms of
# every start loading it, ~12 ms when linked statically.  R386::LLVM.
find_program(LLVM_CONFIG NAMES llvm-config-19
             PATHS /usr/lib/llvm-19/bin REQUIRED)
set(_comps orcjit native passes x86asmparser)
execute_process(COMMAND ${LLVM_CONFIG} --includedir
  OUTPUT_VARIABLE LLVM_INCLUDE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${LLVM_CONFIG} --link-static --libfiles ${_comps}
  OUTPUT_VARIABLE _libs OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc)
execute_process(COMMAND ${LLVM_CONFIG} --link-static --system-libs ${_comps}
  OUTPUT_VARIABLE _sys OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "llvm-config-19 cannot list static libraries")
endif()
separate_arguments(_libs UNIX_COMMAND "${_libs}")
# The C++ runtime linked statically too: LLVM's vtables and type_info
# objects refer to libstdc++'s, and against the shared library each such
# reference is a relocation ld.so applies at every start (4,600 of them,
# spread over 1.6 MB of .data.rel.ro that each start then copies on
# write; docs/PERFORMANCE.md, session 25).  The shared one where gcc has
# no archive.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libstdc++.a
  OUTPUT_VARIABLE _stdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT IS_ABSOLUTE "${_stdcxx}" OR NOT EXISTS "${_stdcxx}")
  set(_stdcxx stdc++)
endif()
separate_arguments(_sys UNIX_COMMAND "${_sys}")
# zlib and zstd (LLVM's compression) from their archives where Debian has
# them (zlib1g-dev and libzstd-dev come with llvm-19-dev): two shared
# libraries fewer for ld.so to find, map and relocate at every start.
set(_sys_linked)
foreach(_l IN LISTS _sys)
  if(_l STREQUAL "-lz" OR _l STREQUAL "-lzstd")
    string(SUBSTRING "${_l}" 2 -1 _name)
    string(TOUPPER "${_name}" _var)
    find_library(R386_LIB${_var}_A NAMES lib${_name}.a)
    if(R386_LIB${_var}_A)
      list(APPEND _sys_linked "${R386_LIB${_var}_A}")
      continue()
    endif()
  endif()
  list(APPEND _sys_linked "${_l}")
endforeach()
set(_sys ${_sys_linked})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(R386LLVM REQUIRED_VARS LLVM_INCLUDE_DIR)
if(NOT TARGET R386::LLVM)
  add_library(R386::LLVM INTERFACE IMPORTED)
  # The static archives depend on each other: link them as a group; LLVM
  # is C++, so the C++ runtime comes along.
  set_target_properties(R386::LLVM PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LLVM_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES
      "-Wl,--start-group;${_libs};-Wl,--end-group;${_sys};${_stdcxx};m")
endif()
