# Every dependency comes from Debian bookworm's packages (scripts/install-deps.sh).
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)  # crc32 for the segment log's frames
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(simdjson REQUIRED)
if(VIGIL_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(VIGIL_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
find_package(PostgreSQL REQUIRED)  # libpq: the PostgreSQL store
# gperftools' CPU profiler behind GET /debug/pprof/profile (libgoogle-perftools-dev ships .pc files).
find_package(PkgConfig REQUIRED)
pkg_check_modules(GPERFTOOLS_PROFILER REQUIRED IMPORTED_TARGET libprofiler)
