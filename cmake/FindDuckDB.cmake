# Finds DuckDB's C API: -DDUCKDB_ROOT=<dir with include/duckdb.h and lib/libduckdb.so>, else the
# copy scripts/bootstrap unpacks under third_party/duckdb. Defines DuckDB::duckdb.
set(_duckdb_hints ${DUCKDB_ROOT} $ENV{DUCKDB_ROOT} ${CMAKE_CURRENT_SOURCE_DIR}/third_party/duckdb)
find_path(DuckDB_INCLUDE_DIR duckdb.h HINTS ${_duckdb_hints} PATH_SUFFIXES include NO_DEFAULT_PATH)
find_library(DuckDB_LIBRARY duckdb HINTS ${_duckdb_hints} PATH_SUFFIXES lib NO_DEFAULT_PATH)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(DuckDB
  REQUIRED_VARS DuckDB_LIBRARY DuckDB_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "run scripts/bootstrap, or pass -DDUCKDB_ROOT=<your DuckDB 1.4 install>")
if(DuckDB_FOUND AND NOT TARGET DuckDB::duckdb)
  add_library(DuckDB::duckdb SHARED IMPORTED)
  # SYSTEM: DuckDB's header is not ours to hold to our warning flags.
  set_target_properties(DuckDB::duckdb PROPERTIES
    IMPORTED_LOCATION ${DuckDB_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${DuckDB_INCLUDE_DIR}
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${DuckDB_INCLUDE_DIR})
endif()
