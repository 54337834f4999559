# vigil_module(<name> SOURCES ... [DEPS <module>...] [LIBS <target>...] [TESTS <test sources>...])
#
# One small static library per capability folder (src/<name>/), named vigil_<name>, with src/ as
# its include root ("#include \"rules/news2.h\""). Unit tests beside the code become one test
# executable per module, vigil_<name>_test, registered with CTest. Every module is also linked into
# the umbrella target vigil_core, which the binary, the integration tests and the benchmarks use.
function(vigil_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;LIBS;TESTS" ${ARGN})
  set(target vigil_${name})
  add_library(${target} STATIC ${M_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(dep_targets)
  foreach(dep IN LISTS M_DEPS)
    list(APPEND dep_targets vigil_${dep})
  endforeach()
  target_link_libraries(${target} PUBLIC vigil_options ${dep_targets} ${M_LIBS})
  target_link_libraries(vigil_core INTERFACE ${target})
  if(M_TESTS AND VIGIL_BUILD_TESTS)
    add_executable(${target}_test ${M_TESTS})
    target_link_libraries(${target}_test PRIVATE ${target} GTest::gmock_main)
    gtest_discover_tests(${target}_test DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
      PROPERTIES LABELS "unit")
  endif()
endfunction()
