// kill -9 in the middle of a stream of appends loses nothing that was acknowledged.
//
// A forked child appends from several threads and, from each durable callback, writes the
// acknowledged ids to a pipe. The parent SIGKILLs it after a while, reopens the log (SQLite
// recovers the WAL, the segment log cuts a torn tail; both drop any partly written group) and checks every acknowledged id is there
// exactly once and that the log is dense and still writable.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "log/log_test_util.h"
#include "log/segment_log.h"
#include "log/sqlite_log.h"

namespace vigil::log {
namespace {

constexpr int kAppenders = 8;
constexpr std::size_t kAcksBeforeKill = 3000;

// Runs in the child; never returns. Each appender keeps one batch in flight (closed loop), like
// an HTTP client waiting for its 202.
using OpenLog = std::function<std::unique_ptr<Log>()>;

[[noreturn]] void run_child(const OpenLog& open, int ack_fd) {
  try {
    std::unique_ptr<Log> opened = open();
    Log& log = *opened;
    std::vector<std::thread> appenders;
    appenders.reserve(kAppenders);
    for (int t = 0; t < kAppenders; ++t) {
      appenders.emplace_back([&log, ack_fd, t] {
        for (int b = 0; b < 100'000; ++b) {
          std::vector<AppendItem> batch;
          std::string acks;
          for (int i = 0; i <= b % 5; ++i) {
            batch.push_back(
                testing::observation(fmt::format("t{}-b{}-i{}", t, b, i), fmt::format("P-{}", t)));
            acks += batch.back().id + "\n";
          }
          testing::Completion done;
          if (!log.try_append(std::move(batch), done.callback())) _exit(3);
          if (!done.wait().ok()) _exit(4);
          // One write() of less than PIPE_BUF bytes: the parent never sees half a line.
          if (::write(ack_fd, acks.data(), acks.size()) != static_cast<ssize_t>(acks.size())) _exit(5);
        }
      });
    }
    for (std::thread& a : appenders) a.join();
  } catch (...) {
    _exit(2);
  }
  _exit(0);  // never run the parent's remaining tests or atexit handlers
}

void every_acknowledged_id_survives_kill9(const OpenLog& open) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    run_child(open, fds[1]);
  }
  ::close(fds[1]);

  std::vector<std::string> acked;
  std::string pending;
  bool killed = false;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is gone and everything it wrote has been read
    pending.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      acked.push_back(pending.substr(0, nl));
    }
    if (!killed && acked.size() >= kAcksBeforeKill) {
      ASSERT_EQ(::kill(child, SIGKILL), 0);
      killed = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child ended by itself (status " << status << ") after " << acked.size() << " acks";

  std::unique_ptr<Log> reopened = open();
  Log& log = *reopened;
  std::map<std::string, int> stored;
  std::uint64_t expected_seq = 1;
  for (const Record& r : log.read(0, 10'000'000)) {
    ASSERT_EQ(r.seq, expected_seq++);
    ++stored[r.id];
  }
  for (const std::string& id : acked) {
    ASSERT_EQ(stored[id], 1) << "acknowledged id " << id << " lost or duplicated";
  }
  EXPECT_GE(stored.size(), acked.size());

  testing::Completion after;
  ASSERT_TRUE(log.try_append({testing::observation("after-restart")}, after.callback()));
  const AppendResult r = after.wait();
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.items[0].seq, expected_seq);
}

TEST(SqliteLogCrashTest, EveryAcknowledgedIdSurvivesKill9MidStream) {
  testing::TempDir dir;
  every_acknowledged_id_survives_kill9([&] { return std::make_unique<SqliteLog>(dir.file()); });
}

TEST(SegmentLogCrashTest, EveryAcknowledgedIdSurvivesKill9MidStream) {
  testing::TempDir dir;
  every_acknowledged_id_survives_kill9([&] { return std::make_unique<SegmentLog>(dir.path() / "segments"); });
}

// Segments of 16 KiB: the kill lands among dozens of rolls, each taking a spare, sealing a
// segment and writing its summary; and a window of 100 ids, so that the restart takes all but the
// newest segments from their summaries, and the reads below check every frame of them.
TEST(SegmentLogCrashTest, EveryAcknowledgedIdSurvivesKill9AmongRollsSparesAndSummaries) {
  testing::TempDir dir;
  every_acknowledged_id_survives_kill9([&] {
    SegmentLogOptions o;
    o.segment_bytes = 16u << 10;
    o.zero_ahead_bytes = 4u << 10;
    o.dedupe_max_ids = 100;
    return std::make_unique<SegmentLog>(dir.path() / "segments", std::move(o));
  });
  std::size_t segments = 0;
  std::size_t summaries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "segments")) {
    segments += e.path().extension() == ".seg" ? 1 : 0;
    summaries += e.path().extension() == ".sum" ? 1 : 0;
  }
  EXPECT_GE(segments, 10u);
  EXPECT_GE(summaries + 2, segments) << "every sealed segment but one sealed at the kill has its summary";
}

}  // namespace
}  // namespace vigil::log
