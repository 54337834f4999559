#pragma once
// TEST ONLY: finds this process's threads by name (common/thread_name.h), to check what a component
// did to its own threads. Linux only (/proc).
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::test {

// Kernel thread ids (gettid()) of this process's threads whose name starts with `prefix`.
inline std::vector<int> thread_ids_named(std::string_view prefix) {
  std::vector<int> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name.starts_with(prefix))
      ids.push_back(std::stoi(entry.path().filename()));
  }
  return ids;
}

}  // namespace vigil::test
