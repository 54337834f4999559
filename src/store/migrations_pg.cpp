#include "store/migrations_pg.h"

#include <array>

namespace vigil::store {
namespace {

// Ids are COLLATE "C" so that ORDER BY and keyset cursors ("id > $cursor") follow byte order, as in
// SQLite, whatever the database's default collation. Entity times are bigint milliseconds since the
// Unix epoch (UTC).
constexpr const char* kRegistry = R"sql(
CREATE TABLE trials (
  id     text COLLATE "C" PRIMARY KEY,
  name   text NOT NULL,
  phase  text NOT NULL,
  status text NOT NULL
);
CREATE INDEX trials_status ON trials(status, id);
CREATE TABLE sites (
  id                     text COLLATE "C" PRIMARY KEY,
  trial_id               text COLLATE "C" NOT NULL REFERENCES trials(id),
  name                   text NOT NULL,
  country                text NOT NULL,
  timezone               text NOT NULL,
  principal_investigator text NOT NULL
);
CREATE INDEX sites_trial ON sites(trial_id, id);
CREATE TABLE patients (
  id             text COLLATE "C" PRIMARY KEY,
  trial_id       text COLLATE "C" NOT NULL REFERENCES trials(id),
  site_id        text COLLATE "C" NOT NULL REFERENCES sites(id),
  arm            text NOT NULL,
  status         text NOT NULL,
  enrolled_at_ms bigint,
  spo2_scale     integer NOT NULL CHECK (spo2_scale IN (1, 2))
);
CREATE INDEX patients_trial_site_status ON patients(trial_id, site_id, status);
CREATE INDEX patients_site ON patients(site_id, id);
CREATE TABLE patient_identities (
  patient_id  text COLLATE "C" PRIMARY KEY REFERENCES patients(id),
  full_name   bytea NOT NULL,
  national_id bytea NOT NULL
);
CREATE TABLE devices (
  serial        text COLLATE "C" PRIMARY KEY,
  type          text NOT NULL,
  patient_id    text COLLATE "C" REFERENCES patients(id),
  api_key_hash  text NOT NULL UNIQUE,
  created_at_ms bigint NOT NULL,
  revoked_at_ms bigint
);
CREATE INDEX devices_patient ON devices(patient_id, serial);
CREATE TABLE users (
  subject      text COLLATE "C" PRIMARY KEY,
  display_name text NOT NULL,
  role         text NOT NULL
);
CREATE TABLE user_sites (
  subject text COLLATE "C" NOT NULL REFERENCES users(subject) ON DELETE CASCADE,
  site_id text COLLATE "C" NOT NULL REFERENCES sites(id),
  PRIMARY KEY (subject, site_id)
);
CREATE INDEX user_sites_site ON user_sites(site_id, subject);
CREATE TABLE protocol_versions (
  trial_id      text COLLATE "C" NOT NULL REFERENCES trials(id),
  version       bigint NOT NULL,
  author        text NOT NULL,
  reason        text NOT NULL,
  created_at_ms bigint NOT NULL,
  document      text NOT NULL,
  PRIMARY KEY (trial_id, version)
);
)sql";

// Values and `at` are text, not jsonb or timestamptz: verification must read back the exact bytes
// that were hashed. seq is assigned by the store under a lock (a sequence would leave gaps on
// rollback). Append-only in the schema too: changing a row needs a deliberate DROP TRIGGER by the
// owner or a superuser, and the hash chain exposes whatever was changed behind it.
constexpr const char* kAudit = R"sql(
CREATE TABLE audit_log (
  seq         bigint PRIMARY KEY,
  actor       text NOT NULL,
  at          text NOT NULL,
  action      text NOT NULL,
  entity_type text COLLATE "C" NOT NULL,
  entity_id   text COLLATE "C" NOT NULL,
  old_value   text,
  new_value   text,
  reason      text NOT NULL,
  prev_hash   text NOT NULL,
  hash        text NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity_type, entity_id, seq);
CREATE INDEX audit_entity_id ON audit_log(entity_id, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER;
)sql";

constexpr std::array<Migration, 2> kMigrations{{
    {1, kRegistry},
    {2, kAudit},
}};

}  // namespace

std::span<const Migration> pg_migrations() {
  return kMigrations;
}

}  // namespace vigil::store
