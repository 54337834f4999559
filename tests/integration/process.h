#pragma once
// Test helper: the vigil binary as a child process. stdout and stderr go to a pipe that a reader
// thread collects, so a test can wait for "listening on http://HOST:PORT" and read error lines.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vigil::testing {

class VigilProcess {
 public:
  // Starts VIGIL_BINARY with `args` in the source directory (so relative paths in configs work).
  explicit VigilProcess(std::vector<std::string> args);
  ~VigilProcess();  // SIGKILLs the child if it still runs
  VigilProcess(const VigilProcess&) = delete;
  VigilProcess& operator=(const VigilProcess&) = delete;

  // Waits (up to `timeout`) for the "listening on" line; the port, or nullopt if the process ended
  // or the time passed.
  std::optional<std::uint16_t> wait_listening(std::chrono::seconds timeout = std::chrono::seconds(60));
  // Sends a signal; wait() then reaps the child and returns its exit status (128+N when killed by N).
  void signal(int sig);
  int wait(std::chrono::seconds timeout = std::chrono::seconds(60));
  [[nodiscard]] std::string output() const;

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
  std::optional<int> status_;
};

// A fresh temporary folder, removed at destruction.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The HS256 secret write_config() configures (in <folder>/jwt.key).
inline constexpr const char* kTestSecret = "integration-test-secret-0123456789abcdef";

// Writes a config for port 0 with its data in `data_dir`, plus `extra` YAML lines (other sections)
// and `storage_extra` lines inside the storage section (indented by the caller); returns its path.
std::filesystem::path write_config(const std::filesystem::path& folder, const std::filesystem::path& data_dir,
                                   const std::string& extra = "", const std::string& storage_extra = "");

// "Bearer <token>" signed with kTestSecret: `role` admin, investigator, ... or "patient" (an app
// acting for `patient`).
std::string bearer(const std::string& role, const std::string& patient = "",
                   std::vector<std::string> sites = {});

}  // namespace vigil::testing
