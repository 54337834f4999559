// SqliteRegistryStore: the audit trail (append inside the caller's transaction, listing, verification).
#include <fmt/format.h>

#include "store/audit_chain.h"
#include "store/pagination.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

constexpr const char* kColumns =
    "seq, actor, at, action, entity_type, entity_id, old_value, new_value, reason, prev_hash, hash";

AuditRecord read_record(const sqlite::Query& q) {
  AuditRecord r;
  r.seq = q.integer(0);
  r.actor = q.text(1);
  // A time that does not parse stays at the epoch, so the record fails verification visibly.
  if (!parse_rfc3339(q.text(2), r.at)) r.at = TimePoint{};
  r.action = q.text(3);
  r.entity_type = q.text(4);
  r.entity_id = q.text(5);
  r.old_value = q.optional_text(6);
  r.new_value = q.optional_text(7);
  r.reason = q.text(8);
  r.prev_hash = q.text(9);
  r.hash = q.text(10);
  return r;
}

}  // namespace

AuditRecord SqliteRegistryStore::audit_locked(const AuditEntry& entry) {
  AuditRecord r;
  r.actor = entry.actor;
  r.at = clock_.now();
  r.action = entry.action;
  r.entity_type = entry.entity_type;
  r.entity_id = entry.entity_id;
  r.old_value = entry.old_value;
  r.new_value = entry.new_value;
  r.reason = entry.reason;
  std::optional<AuditRecord> last;
  {
    auto q = db_.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (q.step()) {
      last.emplace();
      last->seq = q.integer(0);
      last->hash = q.text(1);
    }
  }
  chain_after(last ? &*last : nullptr, r);
  db_.query(
         "INSERT INTO audit_log (seq, actor, at, action, entity_type, entity_id, old_value, new_value, "
         "reason, "
         "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
      .bind(1, r.seq)
      .bind(2, r.actor)
      .bind(3, format_rfc3339(r.at))
      .bind(4, r.action)
      .bind(5, r.entity_type)
      .bind(6, r.entity_id)
      .bind_optional(7, r.old_value)
      .bind_optional(8, r.new_value)
      .bind(9, r.reason)
      .bind(10, r.prev_hash)
      .bind(11, r.hash)
      .run("the audit sequence moved; retry");
  return r;
}

AuditRecord SqliteRegistryStore::audit_locked(const ChangeContext& ctx, std::string_view action,
                                              std::string_view entity_type, std::string_view entity_id,
                                              std::optional<std::string> old_value,
                                              std::optional<std::string> new_value) {
  return audit_locked(AuditEntry{ctx.actor, std::string(action), std::string(entity_type),
                                 std::string(entity_id), std::move(old_value), std::move(new_value),
                                 ctx.reason});
}

AuditRecord SqliteRegistryStore::append_audit(const AuditEntry& entry) {
  validate(entry);
  return write([&] { return audit_locked(entry); });
}

Page<AuditRecord> SqliteRegistryStore::list_audit(const AuditFilter& filter, const PageRequest& page) {
  validate(page);
  const std::int64_t after = number_cursor(page.cursor);
  return read([&] {
    static const std::string sql = fmt::format(
        "SELECT {} FROM audit_log WHERE (?1 IS NULL OR entity_type = ?1) AND (?2 IS NULL OR entity_id = ?2) "
        "AND seq > ?3 ORDER BY seq LIMIT ?4",
        kColumns);
    auto q = db_.query(sql.c_str());
    q.bind_optional(1, filter.entity_type).bind_optional(2, filter.entity_id).bind(3, after);
    q.bind(4, static_cast<std::int64_t>(page.limit + 1));
    std::vector<AuditRecord> rows;
    while (q.step()) rows.push_back(read_record(q));
    return finish_page(std::move(rows), page.limit,
                       [](const AuditRecord& r) { return std::to_string(r.seq); });
  });
}

VerifyResult SqliteRegistryStore::verify_audit() {
  // One read transaction: the walk sees a single snapshot even while others append.
  return read([&] {
    static const std::string sql = fmt::format("SELECT {} FROM audit_log ORDER BY seq", kColumns);
    ChainVerifier verifier;
    auto q = db_.query(sql.c_str());
    while (q.step()) {
      if (!verifier.feed(read_record(q))) break;
    }
    return verifier.result();
  });
}

}  // namespace vigil::store
