// PgRegistryStore: devices and their API key hashes.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

#define VIGIL_DEVICE_SELECT \
  "SELECT serial, type, patient_id, api_key_hash, created_at_ms, revoked_at_ms FROM devices "

constexpr pg::Statement kGet{"device.get", VIGIL_DEVICE_SELECT "WHERE serial = $1"};
constexpr pg::Statement kGetUpdate{"device.get_update",
                                   VIGIL_DEVICE_SELECT "WHERE serial = $1 FOR NO KEY UPDATE"};
constexpr pg::Statement kByKeyHash{"device.by_key_hash", VIGIL_DEVICE_SELECT "WHERE api_key_hash = $1"};
constexpr pg::Statement kInsert{"device.insert",
                                "INSERT INTO devices (serial, type, patient_id, api_key_hash, created_at_ms) "
                                "VALUES ($1, $2, $3, $4, $5)"};
constexpr pg::Statement kList{
    "device.list", VIGIL_DEVICE_SELECT
    "WHERE ($1::text IS NULL OR patient_id = $1) AND serial > $2 ORDER BY serial LIMIT $3"};
constexpr pg::Statement kBind{"device.bind", "UPDATE devices SET patient_id = $2 WHERE serial = $1"};
constexpr pg::Statement kRevoke{"device.revoke", "UPDATE devices SET revoked_at_ms = $2 WHERE serial = $1"};

Device read_device(const pg::Result& r, int row) {
  Device d;
  d.serial = r.text(row, 0);
  d.type = r.text(row, 1);
  d.patient_id = r.optional_text(row, 2).value_or("");
  d.api_key_hash = r.text(row, 3);
  d.created_at = TimePoint(Duration(r.integer(row, 4)));
  if (!r.is_null(row, 5)) d.revoked_at = TimePoint(Duration(r.integer(row, 5)));
  d.revoked = d.revoked_at.has_value();
  return d;
}

std::optional<Device> first(const pg::Result& r) {
  if (r.empty()) return std::nullopt;
  return read_device(r, 0);
}

std::int64_t millis(TimePoint t) {
  return t.time_since_epoch().count();
}

// No patient is stored as NULL, which the foreign key lets through.
pg::Param patient_param(std::string_view patient_id) {
  if (patient_id.empty()) return nullptr;
  return patient_id;
}

}  // namespace

Device PgRegistryStore::device_locked(Conn& conn, std::string_view serial) {
  auto d = first(conn.exec(kGetUpdate, {serial}));
  if (!d) throw StoreError(StoreError::Code::not_found, fmt::format("device '{}' not found", serial));
  return *d;
}

Device PgRegistryStore::create_device(const Device& device, const ChangeContext& ctx) {
  validate(ctx);
  validate(device);
  if (device.revoked || device.revoked_at) {
    throw StoreError(StoreError::Code::invalid_argument, "a device cannot be created revoked");
  }
  return write([&](Conn& conn) {
    if (!device.patient_id.empty()) patient_locked(conn, device.patient_id, Lock::none);
    // The two unique keys get distinct messages; neither echoes the key hash. A concurrent insert of
    // the same hash is still refused by the unique index (as a conflict).
    if (!conn.exec(kByKeyHash, {device.api_key_hash}).empty()) {
      throw StoreError(StoreError::Code::conflict, "another device already uses this API key");
    }
    Device stored = device;
    stored.created_at = clock_.now();
    conn.exec(kInsert,
              {stored.serial, stored.type, patient_param(stored.patient_id), stored.api_key_hash,
               millis(stored.created_at)},
              fmt::format("device '{}' already exists", stored.serial));
    audit_locked(conn, ctx, "device.create", "device", stored.serial, std::nullopt, to_json(stored));
    return stored;
  });
}

std::optional<Device> PgRegistryStore::get_device(std::string_view serial) {
  return read([&](Conn& conn) { return first(conn.exec(kGet, {serial})); });
}

std::optional<Device> PgRegistryStore::find_device_by_key_hash(std::string_view api_key_hash) {
  return read([&](Conn& conn) { return first(conn.exec(kByKeyHash, {api_key_hash})); });
}

Page<Device> PgRegistryStore::list_devices(const DeviceFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&](Conn& conn) {
    const auto q =
        conn.exec(kList, {filter.patient_id, page.cursor, static_cast<std::int64_t>(page.limit + 1)});
    std::vector<Device> rows;
    for (int i = 0; i < q.rows(); ++i) rows.push_back(read_device(q, i));
    return finish_page(std::move(rows), page.limit, [](const Device& d) { return d.serial; });
  });
}

Device PgRegistryStore::bind_device(std::string_view serial, std::string_view patient_id,
                                    const ChangeContext& ctx) {
  validate(ctx);
  if (!patient_id.empty()) check_id("patient id", patient_id);
  return write([&](Conn& conn) {
    const Device before = device_locked(conn, serial);
    if (before.revoked) {
      throw StoreError(StoreError::Code::invalid_transition,
                       fmt::format("device '{}' is revoked and cannot be bound", serial));
    }
    if (!patient_id.empty()) patient_locked(conn, patient_id, Lock::none);
    Device after = before;
    after.patient_id = std::string(patient_id);
    conn.exec(kBind, {serial, patient_param(patient_id)});
    audit_locked(conn, ctx, patient_id.empty() ? "device.unbind" : "device.bind", "device", serial,
                 to_json(before), to_json(after));
    return after;
  });
}

Device PgRegistryStore::revoke_device(std::string_view serial, const ChangeContext& ctx) {
  validate(ctx);
  return write([&](Conn& conn) {
    const Device before = device_locked(conn, serial);
    if (before.revoked) {
      throw StoreError(StoreError::Code::invalid_transition,
                       fmt::format("device '{}' is already revoked", serial));
    }
    Device after = before;
    after.revoked = true;
    after.revoked_at = clock_.now();
    conn.exec(kRevoke, {serial, millis(*after.revoked_at)});
    audit_locked(conn, ctx, "device.revoke", "device", serial, to_json(before), to_json(after));
    return after;
  });
}

}  // namespace vigil::store
