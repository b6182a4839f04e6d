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
separate_arguments(_sys UNIX_COMMAND "${_sys}")
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(R386LLVM REQUIRED_VARS LLVM_INCLUDE_DIR)
if(NOT TARGET R386::LLVM)
  add_library(R386::LLVM INTERFACE IMPORTED)
  # The static archives depend on each other: link them as a group; LLVM
  # is C++, so the C++ runtime comes along.
  set_target_properties(R386::LLVM PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LLVM_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES
      "-Wl,--start-group;${_libs};-Wl,--end-group;${_sys};stdc++;m")
endif()
