# Compile options every Vigil target gets through the `vigil_options` interface target.
add_library(vigil_options INTERFACE)
target_compile_options(vigil_options INTERFACE -Wall -Wextra -Wpedantic -Werror
  # g++ 12 reports a false -Wmismatched-new-delete on Asio's awaitable frames, whose class-specific
  # operator new/delete pair is correct (GCC bug 109224). It is the only warning turned off.
  -Wno-mismatched-new-delete)
# A unity build (CMAKE_UNITY_BUILD, set by the release, asan and tsan presets) includes each .cpp
# into a batch file, so g++ sees every file's anonymous-namespace types as if a header defined
# them and reports -Wsubobject-linkage on the coroutine frames that hold them. In a unity build that
# is the batching, not a header defect; the debug preset builds file by file and keeps the warning.
if(CMAKE_UNITY_BUILD)
  target_compile_options(vigil_options INTERFACE -Wno-subobject-linkage)
endif()
# Asio's coroutine support and Beast need nothing extra on g++ 12 in C++20 mode.
target_compile_definitions(vigil_options INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  BOOST_ASIO_DISABLE_BOOST_COROUTINE)

set(VIGIL_SANITIZE "" CACHE STRING "Sanitizers: empty, 'address' (ASan+UBSan) or 'thread' (TSan)")
if(VIGIL_SANITIZE STREQUAL "address")
  target_compile_options(vigil_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(vigil_options INTERFACE -fsanitize=address,undefined)
elseif(VIGIL_SANITIZE STREQUAL "thread")
  # g++ 12 warns (-Wtsan) that TSan does not model std::atomic_thread_fence, which Asio uses in a
  # few places; those fences are paired with atomics TSan does see, so the warning is not an error.
  target_compile_options(vigil_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  target_link_options(vigil_options INTERFACE -fsanitize=thread)
elseif(NOT VIGIL_SANITIZE STREQUAL "")
  message(FATAL_ERROR "VIGIL_SANITIZE must be empty, 'address' or 'thread', not '${VIGIL_SANITIZE}'")
endif()

# tcmalloc (cmake/VigilDependencies.cmake) in every build without a sanitizer: ASan and TSan
# intercept malloc themselves, and a second allocator under them would hide what they look for.
if(VIGIL_SANITIZE STREQUAL "")
  option(VIGIL_TCMALLOC "Link gperftools' tcmalloc as the allocator" ON)
else()
  set(VIGIL_TCMALLOC OFF CACHE BOOL "Link gperftools' tcmalloc as the allocator" FORCE)
endif()
