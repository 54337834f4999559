#include "store/migrations_sqlite.h"

#include <array>

namespace vigil::store {
namespace {

// Times of entities are integer milliseconds since the Unix epoch (UTC); the audit time is the
// RFC 3339 text that was hashed, so verification reads back exactly what was signed.
constexpr const char* kRegistry = R"sql(
CREATE TABLE trials (
  id     TEXT PRIMARY KEY,
  name   TEXT NOT NULL,
  phase  TEXT NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX trials_status ON trials(status, id);
CREATE TABLE sites (
  id                     TEXT PRIMARY KEY,
  trial_id               TEXT NOT NULL REFERENCES trials(id),
  name                   TEXT NOT NULL,
  country                TEXT NOT NULL,
  timezone               TEXT NOT NULL,
  principal_investigator TEXT NOT NULL
);
CREATE INDEX sites_trial ON sites(trial_id, id);
CREATE TABLE patients (
  id             TEXT PRIMARY KEY,
  trial_id       TEXT NOT NULL REFERENCES trials(id),
  site_id        TEXT NOT NULL REFERENCES sites(id),
  arm            TEXT NOT NULL,
  status         TEXT NOT NULL,
  enrolled_at_ms INTEGER,
  spo2_scale     INTEGER NOT NULL CHECK (spo2_scale IN (1, 2))
);
CREATE INDEX patients_trial_site_status ON patients(trial_id, site_id, status);
CREATE INDEX patients_site ON patients(site_id, id);
CREATE TABLE patient_identities (
  patient_id  TEXT PRIMARY KEY REFERENCES patients(id),
  full_name   BLOB,
  national_id BLOB
);
CREATE TABLE devices (
  serial        TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  patient_id    TEXT REFERENCES patients(id),
  api_key_hash  TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE INDEX devices_patient ON devices(patient_id, serial);
CREATE TABLE users (
  subject      TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  role         TEXT NOT NULL
);
CREATE TABLE user_sites (
  subject TEXT NOT NULL REFERENCES users(subject) ON DELETE CASCADE,
  site_id TEXT NOT NULL REFERENCES sites(id),
  PRIMARY KEY (subject, site_id)
);
CREATE INDEX user_sites_site ON user_sites(site_id, subject);
CREATE TABLE protocol_versions (
  trial_id      TEXT NOT NULL REFERENCES trials(id),
  version       INTEGER NOT NULL,
  author        TEXT NOT NULL,
  reason        TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  document      TEXT NOT NULL,
  PRIMARY KEY (trial_id, version)
);
)sql";

// Append-only in the schema as well as in the API: a change needs a deliberate DROP TRIGGER, and
// the hash chain exposes whatever was changed behind it.
constexpr const char* kAudit = R"sql(
CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY,
  actor       TEXT NOT NULL,
  at          TEXT NOT NULL,
  action      TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  old_value   TEXT,
  new_value   TEXT,
  reason      TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity_type, entity_id, seq);
CREATE INDEX audit_entity_id ON audit_log(entity_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

constexpr std::array<Migration, 2> kMigrations{{
    {1, kRegistry},
    {2, kAudit},
}};

}  // namespace

std::span<const Migration> sqlite_migrations() {
  return kMigrations;
}

}  // namespace vigil::store
