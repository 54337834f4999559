#include "log/sqlite_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace vigil::log {
namespace {

// Version 1: the records table. Version 2: records.trace (nullable; NULL for untraced records and
// for every record written under version 1).
constexpr int kSchemaVersion = 2;

// seq is the rowid, assigned by the writer (not AUTOINCREMENT) so that the log is dense and a
// group knows its seqs before it commits. The UNIQUE id makes idempotency survive restarts.
constexpr const char* kCreateSchema = R"sql(
CREATE TABLE records (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind INTEGER NOT NULL,
  patient_id TEXT NOT NULL,
  code TEXT NOT NULL,
  effective_ms INTEGER NOT NULL,
  appended_ms INTEGER NOT NULL,
  payload BLOB NOT NULL,
  trace TEXT
);
CREATE INDEX records_by_patient_code_time ON records (patient_id, code, effective_ms);
PRAGMA user_version = 2;
)sql";

// Version 1 -> 2. ADD COLUMN of a nullable column only rewrites the schema, not the rows, so it is
// instant whatever the log's size; it runs in the opening transaction with the version bump.
constexpr const char* kMigrateV1ToV2 = R"sql(
ALTER TABLE records ADD COLUMN trace TEXT;
PRAGMA user_version = 2;
)sql";

// ON CONFLICT(id) rather than INSERT OR IGNORE: only an id clash is a duplicate; a seq clash would
// be a broken invariant and must fail the commit, not be silently dropped.
constexpr const char* kInsert =
    "INSERT INTO records (seq, id, kind, patient_id, code, effective_ms, appended_ms, payload, trace) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING";

std::runtime_error open_error(const std::filesystem::path& file, std::string_view why) {
  return std::runtime_error(fmt::format("cannot open log file '{}': {}", file.string(), why));
}

std::int64_t to_ms(TimePoint t) {
  return t.time_since_epoch().count();
}

}  // namespace

SqliteWriter::LockFile::~LockFile() {
  if (fd >= 0) ::close(fd);
}

SqliteWriter::SqliteWriter(const std::filesystem::path& file, const std::string& vfs) {
  const std::string lock_path = file.string() + "-writer.lock";
  lock_.fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_.fd < 0) {
    throw open_error(file, fmt::format("cannot create lock file '{}': {}", lock_path,
                                       std::error_code(errno, std::generic_category()).message()));
  }
  if (::flock(lock_.fd, LOCK_EX | LOCK_NB) != 0) {
    throw open_error(file, fmt::format("another writer holds '{}'", lock_path));
  }

  db_ = sqlite::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  sqlite3* db = db_.get();
  auto fail = [&](int rc) { return std::runtime_error(sqlite::describe(db, "cannot open log file", rc)); };
  // Replaces SQLite's auto-checkpoint, which would copy the WAL into the database file (with its
  // own fsyncs) inside COMMIT every 1,000 pages; see log/sqlite_checkpointer.h.
  sqlite3_wal_hook(db, &SqliteWriter::on_wal_commit, this);

  {
    sqlite::Stmt wal(db, "PRAGMA journal_mode = WAL");
    const int rc = wal.step();
    if (rc != SQLITE_ROW) throw fail(rc);  // "file is not a database" surfaces here
    if (wal.column_text(0) != "wal") throw open_error(file, "the file system does not support WAL mode");
  }
  // FULL: fsync the WAL at every commit. NORMAL would sync only at checkpoints, which survives a
  // process crash but not a power loss, and we acknowledge after commit.
  if (const int rc = sqlite::exec(db, "PRAGMA synchronous = FULL"); rc != SQLITE_OK) throw fail(rc);
  // The lock file makes this the only writer, and WAL readers never block it, so SQLITE_BUSY is
  // not expected; the bounded wait only covers an outside tool briefly holding a lock.
  sqlite3_busy_timeout(db, 5000);

  {
    if (const int rc = sqlite::exec(db, "BEGIN IMMEDIATE"); rc != SQLITE_OK) throw fail(rc);
    sqlite::Stmt version(db, "PRAGMA user_version");
    const int rc = version.step();
    const std::int64_t found = rc == SQLITE_ROW ? version.column_int(0) : -1;
    version.reset();
    if (rc != SQLITE_ROW) throw fail(rc);
    if (found == 0) {
      if (const int create_rc = sqlite::exec(db, kCreateSchema); create_rc != SQLITE_OK)
        throw fail(create_rc);
    } else if (found == 1) {
      if (const int migrate_rc = sqlite::exec(db, kMigrateV1ToV2); migrate_rc != SQLITE_OK)
        throw fail(migrate_rc);
    } else if (found != kSchemaVersion) {
      throw open_error(file, fmt::format("schema version {} is not the expected {}", found, kSchemaVersion));
    }
    if (const int commit_rc = sqlite::exec(db, "COMMIT"); commit_rc != SQLITE_OK) throw fail(commit_rc);
  }
  {
    sqlite::Stmt max_seq(db, "SELECT COALESCE(MAX(seq), 0) FROM records");
    const int rc = max_seq.step();
    if (rc != SQLITE_ROW) throw fail(rc);
    next_seq_ = static_cast<std::uint64_t>(max_seq.column_int(0)) + 1;
  }

  begin_ = sqlite::Stmt(db, "BEGIN IMMEDIATE");
  commit_ = sqlite::Stmt(db, "COMMIT");
  rollback_ = sqlite::Stmt(db, "ROLLBACK");
  insert_ = sqlite::Stmt(db, kInsert);
  seq_of_id_ = sqlite::Stmt(
      db, "SELECT seq, kind, patient_id, code, effective_ms, payload FROM records WHERE id = ?1");
}

GroupWrite SqliteWriter::write_group(const std::vector<const std::vector<AppendItem>*>& batches,
                                     TimePoint appended_at, const std::function<void()>& before_commit) {
  const std::uint64_t first_seq = next_seq_;
  GroupWrite result;
  auto fail = [&](std::string_view what, int rc) {
    result = GroupWrite{};
    result.error = sqlite::describe(db_.get(), what, rc);  // before rollback replaces the message
    rollback();
    next_seq_ = first_seq;
    return std::move(result);
  };

  int rc = begin_.step();
  begin_.reset();
  if (rc != SQLITE_DONE) return fail("cannot begin a transaction in log file", rc);

  result.outcomes.reserve(batches.size());
  for (const std::vector<AppendItem>* batch : batches) {
    std::vector<ItemOutcome>& outcomes = result.outcomes.emplace_back(batch->size());
    for (std::size_t i = 0; i < batch->size(); ++i) {
      rc = insert((*batch)[i], appended_at, outcomes[i]);
      if (rc != SQLITE_DONE) return fail("cannot append to log file", rc);
      ++(outcomes[i].duplicate ? result.duplicates : result.appended);
    }
  }

  if (before_commit) before_commit();
  rc = commit_.step();
  commit_.reset();
  if (rc != SQLITE_DONE) return fail("cannot commit to log file", rc);
  result.ok = true;
  result.last_seq = last_seq();
  return result;
}

int SqliteWriter::insert(const AppendItem& item, TimePoint appended_at, ItemOutcome& outcome) {
  {
    sqlite::ResetOnExit reset(insert_);
    insert_.bind(1, static_cast<std::int64_t>(next_seq_));
    insert_.bind(2, item.id);
    insert_.bind(3, static_cast<std::int64_t>(item.kind));
    insert_.bind(4, item.patient_id);
    insert_.bind(5, item.code);
    insert_.bind(6, to_ms(item.effective_time));
    insert_.bind(7, to_ms(appended_at));
    insert_.bind_blob(8, item.payload);
    if (item.trace.empty()) {
      insert_.bind_null(9);
    } else {
      insert_.bind(9, item.trace);
    }
    const int rc = insert_.step();
    if (rc != SQLITE_DONE) return rc;
    if (sqlite3_changes(db_.get()) == 1) {
      outcome = ItemOutcome{next_seq_++, false};
      return SQLITE_DONE;
    }
  }
  // The id is taken, by an earlier record or earlier in this same transaction (visible to us).
  sqlite::ResetOnExit reset(seq_of_id_);
  seq_of_id_.bind(1, item.id);
  const int rc = seq_of_id_.step();
  if (rc == SQLITE_DONE) return SQLITE_INTERNAL;  // the conflicting row must exist
  if (rc != SQLITE_ROW) return rc;
  struct {
    RecordKind kind;
    std::string patient_id;
    std::string code;
    TimePoint effective_time;
    std::string payload;
  } original{static_cast<RecordKind>(seq_of_id_.column_int(1)), seq_of_id_.column_text(2),
             seq_of_id_.column_text(3), TimePoint(Duration(seq_of_id_.column_int(4))),
             seq_of_id_.column_text(5)};
  const bool same = same_content(item, original);
  outcome = ItemOutcome{static_cast<std::uint64_t>(seq_of_id_.column_int(0)), same, !same};
  return SQLITE_DONE;
}

int SqliteWriter::on_wal_commit(void* self, sqlite3* /*db*/, const char* /*name*/, int frames) {
  static_cast<SqliteWriter*>(self)->wal_frames_ = frames;
  return SQLITE_OK;
}

void SqliteWriter::rollback() {
  // After some I/O errors SQLite has already rolled back by itself; only end what is still open.
  if (sqlite3_get_autocommit(db_.get()) == 0) {
    rollback_.step();
    rollback_.reset();
  }
}

}  // namespace vigil::log
