# shoplake_component(NAME SOURCES a.cpp b.cpp DEPENDS shoplake_core fmt::fmt ...)
# A component is a static library `shoplake_<NAME>` whose public headers live in
# src/<NAME>/include/shoplake/<NAME>/.
function(shoplake_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(shoplake_${name} STATIC ${ARG_SOURCES})
  target_include_directories(shoplake_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(shoplake_${name} PUBLIC ${ARG_DEPENDS})
endfunction()

# shoplake_test(NAME SOURCES x_test.cpp DEPENDS shoplake_core LABELS unit [RUNS_BINARY])
# One GoogleTest executable, registered with ctest under its own name. RUNS_BINARY: the test
# starts the real `shoplake` program, found through $SHOPLAKE_BINARY.
function(shoplake_test name)
  cmake_parse_arguments(ARG "RUNS_BINARY" "SECONDS" "SOURCES;DEPENDS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  # ctest starts the longest tests first when it knows their cost; a clean clone has no timing
  # history, and a long test started last runs alone on one core at the end of `make test`.
  if(ARG_SECONDS)
    set_tests_properties(${name} PROPERTIES COST ${ARG_SECONDS})
  endif()
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
  if(ARG_RUNS_BINARY)
    target_link_libraries(${name} PRIVATE shoplake_test_support)
    add_dependencies(${name} shoplake)
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "SHOPLAKE_BINARY=$<TARGET_FILE:shoplake>")
  endif()
endfunction()
