# Every dependency comes from Debian bookworm's packages (scripts/install-deps.sh).
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
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
# libdeflate's CRC-32 (PCLMULQDQ where the CPU has it) for the segment log's frames.
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
pkg_check_modules(GPERFTOOLS_PROFILER REQUIRED IMPORTED_TARGET libprofiler)
# gperftools' tcmalloc replaces glibc's malloc in every binary, unless a sanitizer brings its own
# allocator. Why: a request's strings are allocated on a network thread and freed on the log
# writer's thread; glibc hands such chunks back through the owning arena's lock and its slow path
# (_int_malloc was a quarter of a network thread's profile), tcmalloc through per-thread caches.
# It also gives GET /debug/pprof/heap a real heap profile. docs/benchmarks.md has the figures.
if(VIGIL_TCMALLOC)
  pkg_check_modules(GPERFTOOLS_TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc)
endif()
