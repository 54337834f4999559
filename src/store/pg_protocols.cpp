// PgRegistryStore: versioned monitoring protocols.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

#define VIGIL_PROTOCOL_COLUMNS "trial_id, version, author, reason, created_at_ms, document"

constexpr pg::Statement kNextVersion{
    "protocol.next_version",
    "SELECT COALESCE(MAX(version), 0) + 1 FROM protocol_versions WHERE trial_id = $1"};
constexpr pg::Statement kInsert{"protocol.insert", "INSERT INTO protocol_versions (" VIGIL_PROTOCOL_COLUMNS
                                                   ") VALUES ($1, $2, $3, $4, $5, $6)"};
constexpr pg::Statement kGet{"protocol.get", "SELECT " VIGIL_PROTOCOL_COLUMNS
                                             " FROM protocol_versions WHERE trial_id = $1 AND version = $2"};
constexpr pg::Statement kLatest{"protocol.latest",
                                "SELECT " VIGIL_PROTOCOL_COLUMNS
                                " FROM protocol_versions WHERE trial_id = $1 ORDER BY version DESC LIMIT 1"};
constexpr pg::Statement kList{"protocol.list",
                              "SELECT " VIGIL_PROTOCOL_COLUMNS
                              " FROM protocol_versions WHERE trial_id = $1 AND version > $2 ORDER BY version "
                              "LIMIT $3"};

constexpr std::size_t kMaxDocument = 1 << 20;

ProtocolVersion read_protocol(const pg::Result& r, int row) {
  ProtocolVersion p;
  p.trial_id = r.text(row, 0);
  p.version = r.integer(row, 1);
  p.author = r.text(row, 2);
  p.reason = r.text(row, 3);
  p.created_at = TimePoint(Duration(r.integer(row, 4)));
  p.document = r.text(row, 5);
  return p;
}

std::optional<ProtocolVersion> first(const pg::Result& r) {
  if (r.empty()) return std::nullopt;
  return read_protocol(r, 0);
}

}  // namespace

ProtocolVersion PgRegistryStore::add_protocol_version(std::string_view trial_id, std::string_view document,
                                                      const ChangeContext& ctx) {
  validate(ctx);
  check_text("protocol document", document, kMaxDocument);
  if (document.empty()) {
    throw StoreError(StoreError::Code::invalid_argument, "the protocol document is empty");
  }
  return write([&](Conn& conn) {
    // The trial row lock makes concurrent uploads for one trial take turns on MAX(version) + 1.
    trial_locked(conn, trial_id, Lock::update);
    ProtocolVersion p;
    p.trial_id = std::string(trial_id);
    p.version = conn.exec(kNextVersion, {trial_id}).integer(0, 0);
    p.author = ctx.actor;
    p.reason = ctx.reason;
    p.created_at = clock_.now();
    p.document = std::string(document);
    conn.exec(kInsert,
              {p.trial_id, p.version, p.author, p.reason,
               std::int64_t{p.created_at.time_since_epoch().count()}, p.document},
              "the protocol version moved; retry");
    // The entity is the trial's protocol; each version is one of its states.
    audit_locked(conn, ctx, "protocol.add_version", "protocol", p.trial_id, std::nullopt, to_json(p));
    return p;
  });
}

std::optional<ProtocolVersion> PgRegistryStore::get_protocol_version(std::string_view trial_id,
                                                                     std::int64_t version) {
  return read([&](Conn& conn) { return first(conn.exec(kGet, {trial_id, version})); });
}

std::optional<ProtocolVersion> PgRegistryStore::latest_protocol_version(std::string_view trial_id) {
  return read([&](Conn& conn) { return first(conn.exec(kLatest, {trial_id})); });
}

Page<ProtocolVersion> PgRegistryStore::list_protocol_versions(std::string_view trial_id,
                                                              const PageRequest& page) {
  validate(page);
  const std::int64_t after = number_cursor(page.cursor);
  return read([&](Conn& conn) {
    const auto q = conn.exec(kList, {trial_id, after, static_cast<std::int64_t>(page.limit + 1)});
    std::vector<ProtocolVersion> rows;
    for (int i = 0; i < q.rows(); ++i) rows.push_back(read_protocol(q, i));
    return finish_page(std::move(rows), page.limit,
                       [](const ProtocolVersion& p) { return std::to_string(p.version); });
  });
}

}  // namespace vigil::store
