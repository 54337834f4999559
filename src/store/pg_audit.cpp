// PgRegistryStore: the audit trail (append inside the caller's transaction, listing, verification).
#include "store/audit_chain.h"
#include "store/pagination.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

#define VIGIL_AUDIT_COLUMNS \
  "seq, actor, at, action, entity_type, entity_id, old_value, new_value, reason, prev_hash, hash"

// Keyed on the audit table itself, so that stores in different schemas of one database do not wait
// for each other. Held to the end of the transaction: the next appender reads this one's row.
constexpr pg::Statement kLock{
    "audit.lock", "SELECT pg_advisory_xact_lock(1447642946, 'audit_log'::regclass::oid::integer)"};
constexpr pg::Statement kLast{"audit.last", "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"};
constexpr pg::Statement kInsert{"audit.insert", "INSERT INTO audit_log (" VIGIL_AUDIT_COLUMNS
                                                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
constexpr pg::Statement kList{"audit.list",
                              "SELECT " VIGIL_AUDIT_COLUMNS
                              " FROM audit_log WHERE ($1::text IS NULL OR entity_type = $1) "
                              "AND ($2::text IS NULL OR entity_id = $2) AND seq > $3 ORDER BY seq LIMIT $4"};
constexpr pg::Statement kWalk{
    "audit.walk", "SELECT " VIGIL_AUDIT_COLUMNS " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"};
// Records per round trip of the verification walk: bounded memory however long the trail.
constexpr std::int64_t kWalkChunk = 1000;

AuditRecord read_record(const pg::Result& r, int row) {
  AuditRecord a;
  a.seq = r.integer(row, 0);
  a.actor = r.text(row, 1);
  // A time that does not parse stays at the epoch, so the record fails verification visibly.
  if (!parse_rfc3339(r.text(row, 2), a.at)) a.at = TimePoint{};
  a.action = r.text(row, 3);
  a.entity_type = r.text(row, 4);
  a.entity_id = r.text(row, 5);
  a.old_value = r.optional_text(row, 6);
  a.new_value = r.optional_text(row, 7);
  a.reason = r.text(row, 8);
  a.prev_hash = r.text(row, 9);
  a.hash = r.text(row, 10);
  return a;
}

}  // namespace

AuditRecord PgRegistryStore::audit_locked(Conn& conn, const AuditEntry& entry) {
  AuditRecord r;
  r.actor = entry.actor;
  r.at = clock_.now();
  r.action = entry.action;
  r.entity_type = entry.entity_type;
  r.entity_id = entry.entity_id;
  r.old_value = entry.old_value;
  r.new_value = entry.new_value;
  r.reason = entry.reason;
  conn.exec(kLock);
  std::optional<AuditRecord> last;
  {
    const auto q = conn.exec(kLast);
    if (!q.empty()) {
      last.emplace();
      last->seq = q.integer(0, 0);
      last->hash = q.text(0, 1);
    }
  }
  chain_after(last ? &*last : nullptr, r);
  conn.exec(kInsert,
            {r.seq, r.actor, format_rfc3339(r.at), r.action, r.entity_type, r.entity_id, r.old_value,
             r.new_value, r.reason, r.prev_hash, r.hash},
            "the audit sequence moved; retry");
  return r;
}

AuditRecord PgRegistryStore::audit_locked(Conn& conn, const ChangeContext& ctx, std::string_view action,
                                          std::string_view entity_type, std::string_view entity_id,
                                          std::optional<std::string> old_value,
                                          std::optional<std::string> new_value) {
  return audit_locked(
      conn, AuditEntry{ctx.actor, std::string(action), std::string(entity_type), std::string(entity_id),
                       std::move(old_value), std::move(new_value), ctx.reason});
}

AuditRecord PgRegistryStore::append_audit(const AuditEntry& entry) {
  validate(entry);
  return write([&](Conn& conn) { return audit_locked(conn, entry); });
}

Page<AuditRecord> PgRegistryStore::list_audit(const AuditFilter& filter, const PageRequest& page) {
  validate(page);
  const std::int64_t after = number_cursor(page.cursor);
  return read([&](Conn& conn) {
    const auto q = conn.exec(
        kList, {filter.entity_type, filter.entity_id, after, static_cast<std::int64_t>(page.limit + 1)});
    std::vector<AuditRecord> rows;
    for (int i = 0; i < q.rows(); ++i) rows.push_back(read_record(q, i));
    return finish_page(std::move(rows), page.limit,
                       [](const AuditRecord& r) { return std::to_string(r.seq); });
  });
}

VerifyResult PgRegistryStore::verify_audit() {
  // Chunks of one snapshot: appends made meanwhile are neither half-seen nor waited for.
  return snapshot([&](Conn& conn) {
    ChainVerifier verifier;
    std::int64_t after = 0;
    for (;;) {
      const auto q = conn.exec(kWalk, {after, kWalkChunk});
      for (int i = 0; i < q.rows(); ++i) {
        const AuditRecord record = read_record(q, i);
        if (!verifier.feed(record)) return verifier.result();
        after = record.seq;
      }
      if (q.rows() < kWalkChunk) return verifier.result();
    }
  });
}

}  // namespace vigil::store
