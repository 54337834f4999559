// SqliteRegistryStore: versioned monitoring protocols.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

ProtocolVersion read_protocol(const sqlite::Query& q) {
  ProtocolVersion p;
  p.trial_id = q.text(0);
  p.version = q.integer(1);
  p.author = q.text(2);
  p.reason = q.text(3);
  p.created_at = TimePoint(Duration(q.integer(4)));
  p.document = q.text(5);
  return p;
}

#define VIGIL_PROTOCOL_COLUMNS "trial_id, version, author, reason, created_at_ms, document"

constexpr std::size_t kMaxDocument = 1 << 20;

}  // namespace

ProtocolVersion SqliteRegistryStore::add_protocol_version(std::string_view trial_id,
                                                          std::string_view document,
                                                          const ChangeContext& ctx) {
  validate(ctx);
  check_text("protocol document", document, kMaxDocument);
  if (document.empty())
    throw StoreError(StoreError::Code::invalid_argument, "the protocol document is empty");
  return write([&] {
    trial_locked(trial_id);
    ProtocolVersion p;
    p.trial_id = std::string(trial_id);
    {
      auto q = db_.query("SELECT COALESCE(MAX(version), 0) FROM protocol_versions WHERE trial_id = ?1");
      q.bind(1, trial_id);
      p.version = q.step() ? q.integer(0) + 1 : 1;
    }
    p.author = ctx.actor;
    p.reason = ctx.reason;
    p.created_at = clock_.now();
    p.document = std::string(document);
    db_.query("INSERT INTO protocol_versions (" VIGIL_PROTOCOL_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, p.trial_id)
        .bind(2, p.version)
        .bind(3, p.author)
        .bind(4, p.reason)
        .bind(5, static_cast<std::int64_t>(p.created_at.time_since_epoch().count()))
        .bind(6, p.document)
        .run("the protocol version moved; retry");
    // The entity is the trial's protocol; each version is one of its states.
    audit_locked(ctx, "protocol.add_version", "protocol", p.trial_id, std::nullopt, to_json(p));
    return p;
  });
}

std::optional<ProtocolVersion> SqliteRegistryStore::get_protocol_version(std::string_view trial_id,
                                                                         std::int64_t version) {
  return read([&]() -> std::optional<ProtocolVersion> {
    auto q = db_.query("SELECT " VIGIL_PROTOCOL_COLUMNS
                       " FROM protocol_versions WHERE trial_id = ?1 AND version = ?2");
    q.bind(1, trial_id).bind(2, version);
    if (!q.step()) return std::nullopt;
    return read_protocol(q);
  });
}

std::optional<ProtocolVersion> SqliteRegistryStore::latest_protocol_version(std::string_view trial_id) {
  return read([&]() -> std::optional<ProtocolVersion> {
    auto q = db_.query("SELECT " VIGIL_PROTOCOL_COLUMNS
                       " FROM protocol_versions WHERE trial_id = ?1 ORDER BY version DESC LIMIT 1");
    q.bind(1, trial_id);
    if (!q.step()) return std::nullopt;
    return read_protocol(q);
  });
}

Page<ProtocolVersion> SqliteRegistryStore::list_protocol_versions(std::string_view trial_id,
                                                                  const PageRequest& page) {
  validate(page);
  const std::int64_t after = number_cursor(page.cursor);
  return read([&] {
    auto q =
        db_.query("SELECT " VIGIL_PROTOCOL_COLUMNS
                  " FROM protocol_versions WHERE trial_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3");
    q.bind(1, trial_id).bind(2, after).bind(3, static_cast<std::int64_t>(page.limit + 1));
    std::vector<ProtocolVersion> rows;
    while (q.step()) rows.push_back(read_protocol(q));
    return finish_page(std::move(rows), page.limit,
                       [](const ProtocolVersion& p) { return std::to_string(p.version); });
  });
}

}  // namespace vigil::store
