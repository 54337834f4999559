#pragma once
// Whole writes at an offset, for the segment log's files (log/segment_store.h and its spare,
// log/spare_segment.h). Thread safety: as the descriptor's (pwrite does not move the offset).
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::log {

// Writes all of `bytes` at `offset`, retrying short writes and EINTR. False on an error (errno
// set) or a write of nothing.
inline bool pwrite_all(int fd, std::string_view bytes, std::uint64_t offset) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace vigil::log
