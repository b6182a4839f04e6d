# Zydis 4 from Debian's libzydis-dev (no pkg-config file): Zydis::Zydis.
find_path(ZYDIS_INCLUDE_DIR Zydis/Zydis.h)
find_library(ZYDIS_LIBRARY Zydis)
find_library(ZYCORE_LIBRARY Zycore)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Zydis REQUIRED_VARS
  ZYDIS_LIBRARY ZYCORE_LIBRARY ZYDIS_INCLUDE_DIR)
if(Zydis_FOUND AND NOT TARGET Zydis::Zydis)
  add_library(Zydis::Zydis INTERFACE IMPORTED)
  set_target_properties(Zydis::Zydis PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${ZYDIS_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${ZYDIS_LIBRARY};${ZYCORE_LIBRARY}")
endif()
