// SqliteRegistryStore: devices and their API key hashes.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

#define VIGIL_DEVICE_COLUMNS "serial, type, patient_id, api_key_hash, created_at_ms, revoked_at_ms"

Device read_device(const sqlite::Query& q) {
  Device d;
  d.serial = q.text(0);
  d.type = q.text(1);
  d.patient_id = q.optional_text(2).value_or("");
  d.api_key_hash = q.text(3);
  d.created_at = TimePoint(Duration(q.integer(4)));
  if (!q.is_null(5)) d.revoked_at = TimePoint(Duration(q.integer(5)));
  d.revoked = d.revoked_at.has_value();
  return d;
}

std::int64_t millis(TimePoint t) {
  return t.time_since_epoch().count();
}

}  // namespace

std::optional<Device> SqliteRegistryStore::find_device_locked(const char* sql, std::string_view key) {
  auto q = db_.query(sql);
  q.bind(1, key);
  if (!q.step()) return std::nullopt;
  return read_device(q);
}

Device SqliteRegistryStore::device_locked(std::string_view serial) {
  auto d = find_device_locked("SELECT " VIGIL_DEVICE_COLUMNS " FROM devices WHERE serial = ?1", serial);
  if (!d) throw StoreError(StoreError::Code::not_found, fmt::format("device '{}' not found", serial));
  return *d;
}

Device SqliteRegistryStore::create_device(const Device& device, const ChangeContext& ctx) {
  validate(ctx);
  validate(device);
  if (device.revoked || device.revoked_at) {
    throw StoreError(StoreError::Code::invalid_argument, "a device cannot be created revoked");
  }
  return write([&] {
    if (!device.patient_id.empty()) patient_locked(device.patient_id);
    // The two unique keys get distinct messages; neither echoes the key hash.
    if (find_device_locked("SELECT " VIGIL_DEVICE_COLUMNS " FROM devices WHERE api_key_hash = ?1",
                           device.api_key_hash)) {
      throw StoreError(StoreError::Code::conflict, "another device already uses this API key");
    }
    Device stored = device;
    stored.created_at = clock_.now();
    auto q = db_.query(
        "INSERT INTO devices (serial, type, patient_id, api_key_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4, "
        "?5)");
    q.bind(1, stored.serial).bind(2, stored.type);
    if (stored.patient_id.empty()) {
      q.bind_null(3);
    } else {
      q.bind(3, stored.patient_id);
    }
    q.bind(4, stored.api_key_hash).bind(5, millis(stored.created_at));
    q.run(fmt::format("device '{}' already exists", stored.serial));
    audit_locked(ctx, "device.create", "device", stored.serial, std::nullopt, to_json(stored));
    return stored;
  });
}

std::optional<Device> SqliteRegistryStore::get_device(std::string_view serial) {
  return read([&] {
    return find_device_locked("SELECT " VIGIL_DEVICE_COLUMNS " FROM devices WHERE serial = ?1", serial);
  });
}

std::optional<Device> SqliteRegistryStore::find_device_by_key_hash(std::string_view api_key_hash) {
  return read([&] {
    return find_device_locked("SELECT " VIGIL_DEVICE_COLUMNS " FROM devices WHERE api_key_hash = ?1",
                              api_key_hash);
  });
}

Page<Device> SqliteRegistryStore::list_devices(const DeviceFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&] {
    auto q = db_.query("SELECT " VIGIL_DEVICE_COLUMNS
                       " FROM devices WHERE (?1 IS NULL OR patient_id = ?1) AND serial > ?2 "
                       "ORDER BY serial LIMIT ?3");
    q.bind_optional(1, filter.patient_id)
        .bind(2, page.cursor)
        .bind(3, static_cast<std::int64_t>(page.limit + 1));
    std::vector<Device> rows;
    while (q.step()) rows.push_back(read_device(q));
    return finish_page(std::move(rows), page.limit, [](const Device& d) { return d.serial; });
  });
}

Device SqliteRegistryStore::bind_device(std::string_view serial, std::string_view patient_id,
                                        const ChangeContext& ctx) {
  validate(ctx);
  if (!patient_id.empty()) check_id("patient id", patient_id);
  return write([&] {
    const Device before = device_locked(serial);
    if (before.revoked) {
      throw StoreError(StoreError::Code::invalid_transition,
                       fmt::format("device '{}' is revoked and cannot be bound", serial));
    }
    if (!patient_id.empty()) patient_locked(patient_id);
    Device after = before;
    after.patient_id = std::string(patient_id);
    auto q = db_.query("UPDATE devices SET patient_id = ?2 WHERE serial = ?1");
    q.bind(1, serial);
    if (patient_id.empty()) {
      q.bind_null(2);
    } else {
      q.bind(2, patient_id);
    }
    q.run();
    audit_locked(ctx, patient_id.empty() ? "device.unbind" : "device.bind", "device", serial, to_json(before),
                 to_json(after));
    return after;
  });
}

Device SqliteRegistryStore::revoke_device(std::string_view serial, const ChangeContext& ctx) {
  validate(ctx);
  return write([&] {
    const Device before = device_locked(serial);
    if (before.revoked) {
      throw StoreError(StoreError::Code::invalid_transition,
                       fmt::format("device '{}' is already revoked", serial));
    }
    Device after = before;
    after.revoked = true;
    after.revoked_at = clock_.now();
    db_.query("UPDATE devices SET revoked_at_ms = ?2 WHERE serial = ?1")
        .bind(1, serial)
        .bind(2, millis(*after.revoked_at))
        .run();
    audit_locked(ctx, "device.revoke", "device", serial, to_json(before), to_json(after));
    return after;
  });
}

}  // namespace vigil::store
