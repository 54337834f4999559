#include "process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

#include "auth/jwt.h"
#include "common/clock.h"

namespace vigil::testing {

VigilProcess::VigilProcess(std::vector<std::string> args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    if (chdir(VIGIL_SOURCE_DIR) != 0) _exit(126);
    std::vector<char*> argv;
    std::string binary = VIGIL_BINARY;
    argv.push_back(binary.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  fd_ = fds[0];
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      const auto n = read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mu_);
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      output_.append(buf, static_cast<std::size_t>(n));
      cv_.notify_all();
    }
  });
}

VigilProcess::~VigilProcess() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (reader_.joinable()) reader_.join();
  if (fd_ >= 0) close(fd_);
}

std::optional<std::uint16_t> VigilProcess::wait_listening(std::chrono::seconds timeout) {
  std::unique_lock lock(mu_);
  // The console line "vigil: listening on http://HOST:PORT (config: ...)"; at info level and below the
  // JSON log line that says the same comes first, so the marker includes the console's prefix.
  const std::string marker = "vigil: listening on http://";
  std::size_t at = std::string::npos;
  cv_.wait_for(lock, timeout, [&] {
    at = output_.find(marker);
    return eof_ || (at != std::string::npos && output_.find(' ', at + marker.size()) != std::string::npos);
  });
  if (at == std::string::npos) return std::nullopt;
  const auto start = at + marker.size();
  const auto end = output_.find(' ', start);
  if (end == std::string::npos) return std::nullopt;
  const auto hostport = output_.substr(start, end - start);
  return static_cast<std::uint16_t>(std::stoi(hostport.substr(hostport.rfind(':') + 1)));
}

void VigilProcess::signal(int sig) {
  ::kill(pid_, sig);
}

int VigilProcess::wait(std::chrono::seconds timeout) {
  if (status_) return *status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int raw = 0;
  for (;;) {
    const auto r = waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &raw, 0);
      status_ = -1;  // did not end in time
      return *status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  // The process has ended, but the reader may not have drained the pipe yet: wait for its end of
  // file, so that output() after wait() holds everything the process wrote (an empty output() here
  // once failed a test whose exit status was right). Bounded in case a child kept the pipe open.
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(10), [&] { return eof_; });
  return *status_;
}

std::string VigilProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

TempFolder::TempFolder() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / fmt::format("vigil-it-{:08x}{:08x}", rd(), rd());
  std::filesystem::create_directories(path_);
}

TempFolder::~TempFolder() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path write_config(const std::filesystem::path& folder, const std::filesystem::path& data_dir,
                                   const std::string& extra, const std::string& storage_extra) {
  {
    std::ofstream secret(folder / "jwt.key");
    secret << kTestSecret << "\n";
  }
  const auto file = folder / "vigil.yaml";
  std::ofstream out(file);
  out << "server:\n  listen: 127.0.0.1:0\n  shutdown_grace: 5s\n"
      << "storage:\n  data_dir: " << data_dir.string() << "\n"
      << storage_extra << "logging:\n  level: warn\n"
      << "pipeline:\n  missing_data_scan: 1h\n"
      << "auth:\n  hs256_secret_file: " << (folder / "jwt.key").string() << "\n"
      << extra;
  return file;
}

std::string bearer(const std::string& role, const std::string& patient, std::vector<std::string> sites) {
  auth::Claims c;
  c.subject = role == "patient" ? "app-" + patient : "it-" + role;
  c.role = role;
  c.patient = patient;
  c.sites = std::move(sites);
  c.issuer = "vigil";
  c.audience = {"vigil-api"};
  c.expires_at = SystemClock{}.now() + std::chrono::hours(1);
  return "Bearer " + auth::JwtSigner::hs256(kTestSecret).sign(c);
}

}  // namespace vigil::testing
