#include "alerts/alert_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <string_view>
#include <unordered_map>

#include "alerts/sqlite_db.h"
#include "common/hex.h"

namespace vigil::alerts {
namespace json = boost::json;
namespace {

// PRAGMA user_version of the schema this code writes. Version 1 (user_version 0: files made before
// the version was recorded) kept the whole alert in each event; version 2 keeps, in an event's
// snapshot, only the observation and trace ids its change merged (alert.h, AlertEvent); version 3
// guarantees that every alert's doc is what this build's to_json serialises to (AlertPage), which
// earlier files do not for alerts written before a field was added, and drops the index of events
// by alert, which nothing read. Whoever changes to_json(Alert)
// raises the version, and the rewrite below brings older files up to date.
constexpr std::int64_t kSchemaVersion = 3;

// The writer checkpoints the WAL into the file every this many pages (SQLite's default: 1000).
// A checkpoint writes its pages to the file and syncs it, and on a disk whose sync is a cache
// flush (virtio, no FUA) the intake log's fdatasync, which every acknowledgement waits for,
// waits behind that flush. 100 pages (400 KiB) spread the alert store's writes into bursts the
// disk flushes in a fraction of a millisecond; 1000-page bursts doubled the intake's p99 at
// half the maximum rate (docs/benchmarks.md, 2026-12-06 evening).
constexpr int kCheckpointPages = 100;

// The partial unique index makes the dedup invariant (one unresolved alert per patient and rule) a
// database constraint, so a logic error fails loudly instead of forking alerts.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alerts(
  id TEXT PRIMARY KEY,
  trial_id TEXT NOT NULL,
  site_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  severity INTEGER NOT NULL,
  status TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  doc TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_unresolved_key ON alerts(patient_id, rule_id)
  WHERE status <> 'resolved';
CREATE INDEX IF NOT EXISTS alerts_by_updated ON alerts(updated_at, id);
CREATE INDEX IF NOT EXISTS alerts_by_patient ON alerts(patient_id, updated_at, id);
CREATE INDEX IF NOT EXISTS alerts_by_site ON alerts(site_id, updated_at, id);
CREATE INDEX IF NOT EXISTS alerts_by_status ON alerts(status, updated_at, id);
CREATE TABLE IF NOT EXISTS alert_events(
  event_id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL,
  at INTEGER NOT NULL,
  snapshot TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS consumer_positions(
  name TEXT PRIMARY KEY,
  seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS event_id_reservation(
  one INTEGER PRIMARY KEY CHECK (one = 1),
  upto INTEGER NOT NULL);
)sql";

constexpr const char* kUpsertAlert = R"sql(
INSERT INTO alerts(id, trial_id, site_id, patient_id, rule_id, severity, status, opened_at,
                   updated_at, doc)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, status = excluded.status,
  updated_at = excluded.updated_at, doc = excluded.doc)sql";

constexpr const char* kInsertEvent = R"sql(
INSERT INTO alert_events(event_id, alert_id, kind, actor, note, at, snapshot)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7))sql";

constexpr const char* kReserveEventIds = R"sql(
INSERT INTO event_id_reservation(one, upto) VALUES(1, ?1)
ON CONFLICT(one) DO UPDATE SET upto = excluded.upto)sql";

constexpr const char* kUpsertPosition = R"sql(
INSERT INTO consumer_positions(name, seq) VALUES(?1, ?2)
ON CONFLICT(name) DO UPDATE SET seq = excluded.seq)sql";

std::int64_t millis(TimePoint t) {
  return t.time_since_epoch().count();
}
TimePoint from_millis(std::int64_t ms) {
  return TimePoint(Duration(ms));
}

void configure(SqliteDb& db) {
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA synchronous = FULL");
}

Alert parse_doc(std::string_view doc) {
  boost::system::error_code ec;
  auto value = json::parse(doc, ec);
  std::optional<Alert> alert;
  if (!ec) alert = alert_from_json(value);
  if (!alert) throw SqliteError("unreadable alert snapshot");
  return std::move(*alert);
}

// The ids of `now` that `before` does not hold, in order: what a version-1 event merged, given the
// previous event of the same alert. Exact, because a merge appends only ids the alert did not hold
// and keeps the newest ones.
json::array fresh_ids(const json::value* before, const json::value* now) {
  json::array out;
  if (now == nullptr || !now->is_array()) return out;
  for (const auto& id : now->get_array()) {
    const bool known =
        before != nullptr && before->is_array() &&
        std::find(before->get_array().begin(), before->get_array().end(), id) != before->get_array().end();
    if (!known) out.push_back(id);
  }
  return out;
}

// Version 1 to 2: rewrites every event's snapshot to name only the ids its change merged, found
// by comparing it with the previous event of the same alert. Runs inside the caller's transaction,
// one pass in (alert, event) order; only the snapshot column changes, which no index covers, so
// the scan never meets a row twice.
void migrate_v1_to_v2(SqliteDb& db) {
  auto scan = db.prepare("SELECT event_id, alert_id, snapshot FROM alert_events ORDER BY alert_id, event_id");
  std::string alert_id;
  json::value previous;  // the previous event's full (version 1) snapshot of the same alert
  while (scan.step()) {
    std::string id = scan.column_text(1);
    if (id != alert_id) {
      alert_id = std::move(id);
      previous = nullptr;
    }
    boost::system::error_code ec;
    json::value snapshot = json::parse(scan.column_text(2), ec);
    if (ec || !snapshot.is_object()) throw SqliteError("unreadable alert event snapshot");
    json::object rewritten = snapshot.get_object();
    const json::object* before = previous.if_object();
    for (const char* key : {"observation_ids", "trace_ids"}) {
      rewritten[key] = fresh_ids(before != nullptr ? before->if_contains(key) : nullptr,
                                 snapshot.get_object().if_contains(key));
    }
    db.prepare("UPDATE alert_events SET snapshot = ?2 WHERE event_id = ?1")
        .bind(1, scan.column_int(0))
        .bind(2, json::serialize(rewritten))
        .run();
    previous = std::move(snapshot);
  }
}

std::string current_doc(std::string_view doc) {
  return json::serialize(to_json(parse_doc(doc)));
}

// To version 3 (from any older one): rewrites each alert's doc that differs from what this build's
// to_json makes of it, so that lists can send the docs as they are. Runs inside the caller's
// transaction. The scan only collects the ids to rewrite (memory: ids, not documents), and the
// updates come after it, so no update runs under an open scan of the same table. Throws for a doc
// that is not an alert (the store never wrote one).
void rewrite_alert_docs(SqliteDb& db) {
  std::vector<std::string> stale;
  {
    auto scan = db.prepare("SELECT id, doc FROM alerts");
    while (scan.step()) {
      const std::string doc = scan.column_text(1);
      if (current_doc(doc) != doc) stale.push_back(scan.column_text(0));
    }
  }
  for (const auto& id : stale) {
    std::string doc;
    {
      auto read = db.prepare("SELECT doc FROM alerts WHERE id = ?1");
      read.bind(1, id);
      if (!read.step()) continue;
      doc = current_doc(read.column_text(0));
    }
    db.prepare("UPDATE alerts SET doc = ?2 WHERE id = ?1").bind(1, id).bind(2, doc).run();
  }
}

// Creates the schema, or brings an older file up to kSchemaVersion, in one transaction. Throws for
// a file written by a newer version.
void create_or_migrate(SqliteDb& db) {
  Transaction tx(db);
  std::int64_t version = 0;
  {
    auto stmt = db.prepare("PRAGMA user_version");
    if (stmt.step()) version = stmt.column_int(0);
  }
  if (version > kSchemaVersion) {
    throw SqliteError(
        fmt::format("schema version {} is newer than this build's {}", version, kSchemaVersion));
  }
  db.exec(kSchema);
  if (version < 2) migrate_v1_to_v2(db);
  if (version < 3) {
    rewrite_alert_docs(db);
    // No query reads events by alert (the stream reads by event_id), and keeping this index put
    // every event into one of as many B-tree leaves as there are alerts: with a long history, more
    // pages to write and checkpoint per commit, behind which the intake log's syncs wait.
    db.exec("DROP INDEX IF EXISTS alert_events_by_alert");
  }
  static_assert(kSchemaVersion == 3, "a new version needs its migration step above");
  db.exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
  tx.commit();
}

template <typename F>
auto guard(const std::filesystem::path& file, F&& f) {
  try {
    return f();
  } catch (const SqliteError& e) {
    throw AlertStoreError(fmt::format("alert store {}: {}", file.string(), e.what()));
  }
}

}  // namespace

Alert parse_alert_document(std::string_view document) {
  try {
    return parse_doc(document);
  } catch (const SqliteError& e) {
    throw AlertStoreError(e.what());
  }
}

std::string encode_cursor(const AlertCursor& cursor) {
  // Hex of "<updated_at ms>:<id>": URL-safe and obviously not meant to be edited by hand.
  const std::string plain = fmt::format("{}:{}", millis(cursor.updated_at), cursor.id);
  return to_hex({reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()});
}

std::optional<AlertCursor> decode_cursor(std::string_view token) {
  if (token.empty() || token.size() % 2 != 0 || token.size() > 512) return std::nullopt;
  std::string plain;
  for (std::size_t i = 0; i < token.size(); i += 2) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(token.data() + i, token.data() + i + 2, value, 16);
    if (ec != std::errc() || ptr != token.data() + i + 2) return std::nullopt;
    plain += static_cast<char>(value);
  }
  const auto colon = plain.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == plain.size()) return std::nullopt;
  std::int64_t ms = 0;
  auto [ptr, ec] = std::from_chars(plain.data(), plain.data() + colon, ms);
  if (ec != std::errc() || ptr != plain.data() + colon) return std::nullopt;
  return AlertCursor{from_millis(ms), plain.substr(colon + 1)};
}

AlertStore::AlertStore(const std::filesystem::path& file, std::uint64_t event_id_block)
    : file_(file), event_id_block_(std::max<std::uint64_t>(1, event_id_block)) {
  try {
    writer_ = std::make_unique<SqliteDb>(file, /*create=*/true);
    configure(*writer_);
    writer_->exec("PRAGMA journal_mode = WAL");
    writer_->exec(fmt::format("PRAGMA wal_autocheckpoint = {}", kCheckpointPages).c_str());
    create_or_migrate(*writer_);
    // Ids up to the durable reservation may have been handed out by the previous run in commits a
    // power loss took back; start after it. A file from before reservations: its events were all
    // fsynced, so after the newest one.
    std::int64_t reserved = 0;
    {
      auto stmt = writer_->prepare(
          "SELECT MAX(COALESCE((SELECT upto FROM event_id_reservation), 0), "
          "COALESCE((SELECT MAX(event_id) FROM alert_events), 0))");
      if (stmt.step()) reserved = stmt.column_int(0);
    }
    reserved_upto_ = static_cast<std::uint64_t>(reserved);
    next_event_id_ = reserved_upto_ + 1;
    reader_ = std::make_unique<SqliteDb>(file, /*create=*/false);
    configure(*reader_);
  } catch (const SqliteError& e) {
    throw AlertStoreError(fmt::format("alert store {}: {}", file.string(), e.what()));
  }
}

AlertStore::~AlertStore() = default;

void AlertStore::set_writer_sync(Sync sync) {
  if (sync == writer_sync_) return;
  writer_->exec(sync == Sync::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  writer_sync_ = sync;
}

std::vector<AlertEvent> AlertStore::commit(
    const std::vector<AlertChange>& changes,
    std::optional<std::pair<std::string, std::uint64_t>> consumer_position, Durability durability) {
  if (durability == Durability::replayable && !consumer_position) {
    throw std::invalid_argument("AlertStore::commit: a replayable commit must carry the consumer position");
  }
  std::vector<AlertEvent> events;
  if (changes.empty() && !consumer_position) return events;
  events.reserve(changes.size());
  std::lock_guard lock(write_mu_);
  return guard(file_, [&] {
    // The ids this commit hands out; past the reservation, this commit extends it and is fsynced,
    // so that no id it publishes can be handed out again after a power loss.
    const std::uint64_t first_id = next_event_id_;
    const std::uint64_t last_id = first_id + changes.size() - 1;  // first_id - 1 when no changes
    const bool reserving = !changes.empty() && last_id > reserved_upto_;
    const std::uint64_t reserve_upto = reserving ? last_id + event_id_block_ : reserved_upto_;
    const bool fsync = reserving || (!changes.empty() && durability == Durability::fsync);
    set_writer_sync(fsync ? Sync::full : Sync::normal);
    Transaction tx(*writer_);
    const auto upsert = [this](const Alert& a) {
      writer_->prepare(kUpsertAlert)
          .bind(1, a.id)
          .bind(2, a.trial_id)
          .bind(3, a.site_id)
          .bind(4, a.patient_id)
          .bind(5, a.rule_id)
          .bind(6, static_cast<std::int64_t>(a.severity))
          .bind(7, to_string(a.status))
          .bind(8, millis(a.opened_at))
          .bind(9, millis(a.updated_at))
          .bind(10, json::serialize(to_json(a)))
          .run();
    };
    if (reserving) writer_->prepare(kReserveEventIds).bind(1, static_cast<std::int64_t>(reserve_upto)).run();
    // Inside one transaction only an alert's last state is ever visible, so each alert is
    // upserted once, at its last change: a pipeline round that updates one alert many times
    // serialises and writes its document (up to about 5 KB) once, not once per change. Every
    // change still appends its own event.
    std::unordered_map<std::string_view, std::size_t> last_change;
    last_change.reserve(changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) last_change[changes[i].alert.id] = i;
    std::uint64_t id = first_id;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const AlertChange& change = changes[i];
      const Alert& a = change.alert;
      AlertEvent event = event_of(change, id++);
      if (last_change[a.id] == i) upsert(a);
      writer_->prepare(kInsertEvent)
          .bind(1, static_cast<std::int64_t>(event.event_id))
          .bind(2, a.id)
          .bind(3, to_string(change.kind))
          .bind(4, change.actor)
          .bind(5, change.note)
          .bind(6, millis(change.at))
          .bind(7, json::serialize(to_stored_json(event)))
          .run();
      events.push_back(std::move(event));
    }
    if (consumer_position) {
      writer_->prepare(kUpsertPosition)
          .bind(1, consumer_position->first)
          .bind(2, static_cast<std::int64_t>(consumer_position->second))
          .run();
    }
    tx.commit();
    // Only a commit that happened moves the counters: a failed one leaves them where they were.
    next_event_id_ = id;
    reserved_upto_ = reserve_upto;
    return std::move(events);
  });
}

std::uint64_t AlertStore::consumer_position(std::string_view name) {
  std::lock_guard lock(read_mu_);
  return guard(file_, [&]() -> std::uint64_t {
    auto stmt = reader_->prepare("SELECT seq FROM consumer_positions WHERE name = ?1");
    stmt.bind(1, name);
    return stmt.step() ? static_cast<std::uint64_t>(stmt.column_int(0)) : 0;
  });
}

std::vector<Alert> AlertStore::load_unresolved() {
  std::lock_guard lock(read_mu_);
  return guard(file_, [&] {
    std::vector<Alert> out;
    auto stmt = reader_->prepare("SELECT doc FROM alerts WHERE status <> 'resolved'");
    while (stmt.step()) out.push_back(parse_doc(stmt.column_text(0)));
    return out;
  });
}

std::optional<Alert> AlertStore::get(std::string_view id) {
  std::lock_guard lock(read_mu_);
  return guard(file_, [&]() -> std::optional<Alert> {
    auto stmt = reader_->prepare("SELECT doc FROM alerts WHERE id = ?1");
    stmt.bind(1, id);
    if (!stmt.step()) return std::nullopt;
    return parse_doc(stmt.column_text(0));
  });
}

AlertPage AlertStore::list(const AlertFilter& filter) {
  // The SQL text is assembled from constant fragments only; every value is a bound parameter.
  std::string sql = "SELECT doc, updated_at, id FROM alerts WHERE 1 = 1";
  int n = 0;
  if (filter.trial_id) sql += fmt::format(" AND trial_id = ?{}", ++n);
  if (filter.site_id) sql += fmt::format(" AND site_id = ?{}", ++n);
  if (!filter.any_site.empty()) {  // site scoping of the caller: one bound parameter per site
    sql += " AND site_id IN (";
    for (std::size_t k = 0; k < filter.any_site.size(); ++k) sql += fmt::format("{}?{}", k ? ", " : "", ++n);
    sql += ")";
  }
  if (filter.patient_id) sql += fmt::format(" AND patient_id = ?{}", ++n);
  if (filter.status) sql += fmt::format(" AND status = ?{}", ++n);
  if (filter.min_severity) sql += fmt::format(" AND severity >= ?{}", ++n);
  if (filter.since) sql += fmt::format(" AND updated_at >= ?{}", ++n);
  if (filter.after) {
    sql += fmt::format(" AND (updated_at, id) < (?{}, ?{})", n + 1, n + 2);
    n += 2;
  }
  sql += fmt::format(" ORDER BY updated_at DESC, id DESC LIMIT ?{}", ++n);
  const std::size_t limit = std::clamp<std::size_t>(filter.limit, 1, kMaxPageSize);

  std::lock_guard lock(read_mu_);
  return guard(file_, [&] {
    auto stmt = reader_->prepare(sql);
    int i = 0;
    if (filter.trial_id) stmt.bind(++i, *filter.trial_id);
    if (filter.site_id) stmt.bind(++i, *filter.site_id);
    for (const auto& site : filter.any_site) stmt.bind(++i, site);
    if (filter.patient_id) stmt.bind(++i, *filter.patient_id);
    if (filter.status) stmt.bind(++i, to_string(*filter.status));
    if (filter.min_severity) stmt.bind(++i, static_cast<std::int64_t>(*filter.min_severity));
    if (filter.since) stmt.bind(++i, millis(*filter.since));
    if (filter.after) {
      stmt.bind(++i, millis(filter.after->updated_at));
      stmt.bind(++i, filter.after->id);
    }
    // One row more than asked tells whether there is a next page.
    stmt.bind(++i, static_cast<std::int64_t>(limit + 1));
    AlertPage page;
    AlertCursor last;
    while (stmt.step()) {
      if (page.documents.size() == limit) {
        page.next_cursor = encode_cursor(last);
        break;
      }
      page.documents.push_back(stmt.column_text(0));
      last = AlertCursor{from_millis(stmt.column_int(1)), stmt.column_text(2)};
    }
    return page;
  });
}

std::vector<AlertEvent> AlertStore::events_after(std::uint64_t event_id, std::size_t max) {
  const std::size_t limit = std::clamp<std::size_t>(max, 1, kMaxPageSize);
  std::lock_guard lock(read_mu_);
  return guard(file_, [&] {
    auto stmt = reader_->prepare(
        "SELECT event_id, kind, actor, note, at, snapshot FROM alert_events WHERE event_id > ?1 "
        "ORDER BY event_id LIMIT ?2");
    stmt.bind(1, static_cast<std::int64_t>(event_id)).bind(2, static_cast<std::int64_t>(limit));
    std::vector<AlertEvent> out;
    while (stmt.step()) {
      auto kind = parse_alert_event_kind(stmt.column_text(1));
      if (!kind) throw SqliteError("unknown event kind");
      // The stored snapshot's lists are the ones the event merged (to_stored_json).
      Alert alert = parse_doc(stmt.column_text(5));
      std::vector<std::string> observation_ids = std::move(alert.observation_ids);
      std::vector<std::string> trace_ids = std::move(alert.trace_ids);
      alert.observation_ids.clear();
      alert.trace_ids.clear();
      out.push_back(AlertEvent{static_cast<std::uint64_t>(stmt.column_int(0)), *kind, std::move(alert),
                               stmt.column_text(2), stmt.column_text(3), from_millis(stmt.column_int(4)),
                               std::move(observation_ids), std::move(trace_ids)});
    }
    return out;
  });
}

std::uint64_t AlertStore::last_event_id() {
  std::lock_guard lock(read_mu_);
  return guard(file_, [&] {
    auto stmt = reader_->prepare("SELECT COALESCE(MAX(event_id), 0) FROM alert_events");
    stmt.step();
    return static_cast<std::uint64_t>(stmt.column_int(0));
  });
}

}  // namespace vigil::alerts
