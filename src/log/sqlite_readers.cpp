#include "log/sqlite_readers.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "log/sqlite_db.h"

namespace vigil::log {
namespace {

#define VIGIL_RECORD_COLUMNS "seq, kind, id, patient_id, code, effective_ms, payload, appended_ms, trace"

constexpr const char* kRead =
    "SELECT " VIGIL_RECORD_COLUMNS " FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2";
// Both ride the (patient_id, code, effective_ms) index; its implicit trailing rowid (seq) gives the
// tie-break order for free when the code is known.
constexpr const char* kLatestAnyCode =
    "SELECT " VIGIL_RECORD_COLUMNS
    " FROM records WHERE patient_id = ?1 AND kind = 1 AND effective_ms >= ?2"
    " ORDER BY effective_ms DESC, seq DESC LIMIT ?3";
constexpr const char* kLatestOfCode = "SELECT " VIGIL_RECORD_COLUMNS
                                      " FROM records WHERE patient_id = ?1 AND code = ?4 AND kind = 1"
                                      " AND effective_ms >= ?2 ORDER BY effective_ms DESC, seq DESC LIMIT ?3";

#undef VIGIL_RECORD_COLUMNS

Record record_at(const sqlite::Stmt& stmt) {
  Record r;
  r.seq = static_cast<std::uint64_t>(stmt.column_int(0));
  r.kind = static_cast<RecordKind>(stmt.column_int(1));
  r.id = stmt.column_text(2);
  r.patient_id = stmt.column_text(3);
  r.code = stmt.column_text(4);
  r.effective_time = TimePoint(Duration(stmt.column_int(5)));
  r.payload = stmt.column_text(6);
  r.appended_at = TimePoint(Duration(stmt.column_int(7)));
  r.trace = stmt.column_text(8);  // NULL reads as empty
  return r;
}

std::int64_t clamp_limit(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

struct SqliteReaders::Conn {
  sqlite::DbPtr db;
  sqlite::Stmt read;
  sqlite::Stmt latest_any_code;
  sqlite::Stmt latest_of_code;
};

// Borrows a connection for one call and gives it back, also when the call throws.
class SqliteReaders::Lease {
 public:
  explicit Lease(SqliteReaders& pool) : pool_(pool) {
    {
      std::unique_lock lock(pool_.mutex_);
      pool_.changed_.wait(lock, [&] { return !pool_.paused_; });
      ++pool_.active_;
      if (!pool_.idle_.empty()) {
        conn_ = std::move(pool_.idle_.back());
        pool_.idle_.pop_back();
      }
    }
    if (!conn_) {
      try {
        conn_ = pool_.open_conn();  // outside the lock: opening touches the file
      } catch (...) {
        release();
        throw;
      }
    }
  }
  ~Lease() { release(); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Conn& operator*() const { return *conn_; }
  Conn* operator->() const { return conn_.get(); }

 private:
  void release() {
    std::lock_guard lock(pool_.mutex_);
    if (conn_ && pool_.idle_.size() < kMaxIdle) pool_.idle_.push_back(std::move(conn_));
    if (--pool_.active_ == 0) pool_.changed_.notify_all();
  }

  SqliteReaders& pool_;
  std::unique_ptr<Conn> conn_;
};

SqliteReaders::SqliteReaders(std::filesystem::path file, std::string vfs)
    : file_(std::move(file)), vfs_(std::move(vfs)) {}

SqliteReaders::~SqliteReaders() = default;

SqliteReaders::Pause::Pause(SqliteReaders& pool, std::chrono::milliseconds max_wait) : pool_(pool) {
  std::unique_lock lock(pool_.mutex_);
  pool_.changed_.wait(lock, [&] { return !pool_.paused_; });
  pool_.paused_ = true;
  pool_.changed_.wait_for(lock, max_wait, [&] { return pool_.active_ == 0; });
}

SqliteReaders::Pause::~Pause() {
  {
    std::lock_guard lock(pool_.mutex_);
    pool_.paused_ = false;
  }
  pool_.changed_.notify_all();
}

std::unique_ptr<SqliteReaders::Conn> SqliteReaders::open_conn() const {
  auto conn = std::make_unique<Conn>();
  conn->db = sqlite::open(file_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, vfs_);
  // A WAL reader can meet a short SQLITE_BUSY while another connection recovers or restarts the
  // WAL; wait a bounded time rather than fail the read.
  sqlite3_busy_timeout(conn->db.get(), 5000);
  sqlite::exec(conn->db.get(), "PRAGMA mmap_size = 1073741824");
  conn->read = sqlite::Stmt(conn->db.get(), kRead);
  conn->latest_any_code = sqlite::Stmt(conn->db.get(), kLatestAnyCode);
  conn->latest_of_code = sqlite::Stmt(conn->db.get(), kLatestOfCode);
  return conn;
}

namespace {

// Steps `stmt` to the end, collecting rows. The caller has bound it; it is reset on every path so
// that the connection keeps no read snapshot (which would hold back WAL checkpoints).
std::vector<Record> collect(sqlite3* db, sqlite::Stmt& stmt) {
  sqlite::ResetOnExit reset(stmt);
  std::vector<Record> out;
  for (;;) {
    const int rc = stmt.step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) throw std::runtime_error(sqlite::describe(db, "cannot read log file", rc));
    out.push_back(record_at(stmt));
  }
}

}  // namespace

std::vector<Record> SqliteReaders::read(std::uint64_t after_seq, std::size_t max) {
  if (max == 0) return {};
  Lease conn(*this);
  const auto after = static_cast<std::int64_t>(std::min<std::uint64_t>(
      after_seq, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
  conn->read.bind(1, after);
  conn->read.bind(2, clamp_limit(max));
  return collect(conn->db.get(), conn->read);
}

std::vector<Record> SqliteReaders::latest(std::string_view patient_id, std::string_view code, TimePoint since,
                                          std::size_t limit) {
  if (limit == 0) return {};
  Lease conn(*this);
  sqlite::Stmt& stmt = code.empty() ? conn->latest_any_code : conn->latest_of_code;
  stmt.bind(1, patient_id);
  stmt.bind(2, static_cast<std::int64_t>(since.time_since_epoch().count()));
  stmt.bind(3, clamp_limit(limit));
  if (!code.empty()) stmt.bind(4, code);
  return collect(conn->db.get(), stmt);
}

}  // namespace vigil::log
