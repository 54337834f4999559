#pragma once
// Durable alerts: one SQLite file (WAL, synchronous=FULL) holding the current state of every alert,
// the append-only event history (for audit and for SSE resume), and the log positions of the
// consumers whose effects land here.
//
// commit() writes a batch of changes and, optionally, a consumer's log position in ONE transaction.
// A processor that commits "effects of records up to p" together with "position = p" and, after a
// crash, restarts from consumer_position() applies every record's effects exactly once.
//
// Thread safety: safe to use from any number of threads. Writes go through one connection under its
// own mutex; reads go through a second connection under another, so readers never wait on a write
// in progress (WAL) and always see only committed data.
//
// Errors: the constructor throws AlertStoreError naming the file. Any later SQLite failure (disk
// full, I/O error, corrupted snapshot) throws AlertStoreError; a failed commit() changes nothing.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alert.h"

namespace vigil::alerts {

class SqliteDb;

class AlertStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Position in the newest-first listing: the last alert of the previous page.
struct AlertCursor {
  TimePoint updated_at{};
  std::string id;
};

// Cursors are opaque to clients: encode_cursor gives a URL-safe token and decode_cursor returns
// nullopt for anything it did not make (the API answers 400).
std::string encode_cursor(const AlertCursor& cursor);
std::optional<AlertCursor> decode_cursor(std::string_view token);

inline constexpr std::size_t kDefaultPageSize = 50;
inline constexpr std::size_t kMaxPageSize = 500;

// Every field narrows the result; unset fields do not filter.
struct AlertFilter {
  std::optional<std::string> trial_id{};
  std::optional<std::string> site_id{};
  std::vector<std::string> any_site{};  // when non-empty: only alerts of these sites (caller scoping)
  std::optional<std::string> patient_id{};
  std::optional<AlertStatus> status{};
  std::optional<domain::Severity> min_severity{};
  std::optional<TimePoint> since{};  // updated_at >= since
  std::optional<AlertCursor> after{};
  std::size_t limit = kDefaultPageSize;  // clamped to [1, kMaxPageSize]
};

// Newest first by (updated_at, id). next_cursor is set when more alerts match. An alert updated
// while a client pages moves to the front, so a later page does not show it again.
//
// Each alert comes as its stored JSON document, which is exactly what to_json(alert) serialises to:
// the API sends it as it is, without parsing and serialising up to 5 KB per alert again. The store
// keeps that true: it writes nothing else, and a file from a build whose to_json differed is
// rewritten when it is opened (the schema version's migration). parse_alert_document reads one back.
struct AlertPage {
  std::vector<std::string> documents;
  std::optional<std::string> next_cursor;
};

// An alert from its stored document (AlertPage). Throws AlertStoreError when it is not one.
Alert parse_alert_document(std::string_view document);

class AlertStore {
 public:
  // Event ids are reserved on disk this many at a time (see Durability).
  static constexpr std::uint64_t kEventIdBlock = 4096;

  // Opens or creates the file and its schema. `event_id_block`: how many event ids one fsynced
  // reservation covers (at least 1; tests use small blocks).
  explicit AlertStore(const std::filesystem::path& file, std::uint64_t event_id_block = kEventIdBlock);
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // How a commit with changes must survive a power loss. Every commit survives a crash of the
  // process (WAL); the difference is whether it is fsynced before commit() returns.
  enum class Durability {
    // fsynced (synchronous=FULL): user actions, and anything that cannot be derived again.
    fsync,
    // Derivable again from the intake log, so not fsynced (synchronous=NORMAL). The commit must
    // carry the consumer position of the records whose effects it stores: a power loss that takes
    // it back takes the position back with it, and the consumer replays those records. WAL commits
    // are ordered, so a lost commit never outlives a later fsynced one.
    replayable,
  };

  // Upserts each change's alert, appends one event per change, and sets the consumer position
  // (name, seq) when given; all or nothing. Returns the events in the order of `changes`, with
  // their ids. An empty `changes` with a position just records the position, never fsynced (it is
  // replayable by definition).
  //
  // Event ids increase and are never handed out twice, not even across a power loss that takes
  // back replayable commits whose events were already published to the alert stream: ids are
  // reserved on disk a block at a time, the commit that extends the reservation is fsynced, and a
  // new start continues after the reservation. A power loss therefore leaves a gap in the ids,
  // and the replayed changes get new, higher ids: a stream client resuming with Last-Event-ID
  // receives them (again) instead of skipping them.
  //
  // Throws std::invalid_argument for a replayable commit without a position.
  std::vector<AlertEvent> commit(const std::vector<AlertChange>& changes,
                                 std::optional<std::pair<std::string, std::uint64_t>> consumer_position,
                                 Durability durability = Durability::fsync);

  // Last committed position of a consumer; 0 when it never committed one.
  std::uint64_t consumer_position(std::string_view name);
  // Every alert not resolved (to rebuild the AlertBook).
  std::vector<Alert> load_unresolved();
  std::optional<Alert> get(std::string_view id);
  AlertPage list(const AlertFilter& filter);
  // Events with event_id > `event_id`, oldest first, at most `max` (clamped to kMaxPageSize).
  std::vector<AlertEvent> events_after(std::uint64_t event_id, std::size_t max);
  // Id of the newest event; 0 when there is none.
  std::uint64_t last_event_id();

 private:
  const std::filesystem::path file_;
  enum class Sync { normal, full };
  void set_writer_sync(Sync sync);  // caller holds write_mu_

  const std::uint64_t event_id_block_;
  std::mutex write_mu_;
  std::unique_ptr<SqliteDb> writer_;  // guarded by write_mu_
  std::uint64_t next_event_id_ = 1;   // guarded by write_mu_
  std::uint64_t reserved_upto_ = 0;   // guarded by write_mu_; ids up to here are reserved on disk
  Sync writer_sync_ = Sync::full;     // guarded by write_mu_; configure() starts it at FULL
  std::mutex read_mu_;
  std::unique_ptr<SqliteDb> reader_;  // guarded by read_mu_
};

}  // namespace vigil::alerts
