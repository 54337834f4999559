#pragma once
// The JSON forms of entities that go into audit records as old and new values. Every implementation
// uses these so that the same change yields the same audit text. Keys come in a fixed order and
// times as RFC 3339 UTC, so the text is stable across runs. Pure and thread-safe.
#include <string>

#include "registry/registry.h"
#include "store/entities.h"

namespace vigil::store {

std::string to_json(const registry::Trial& trial);
std::string to_json(const registry::Site& site);
std::string to_json(const registry::Patient& patient);
std::string to_json(const Device& device);  // the key hash is included: it is not the key
std::string to_json(const User& user);
std::string to_json(const ProtocolVersion& protocol);
// Masked values only (the caller masks); the plaintext never reaches the audit trail.
std::string to_json(std::string_view patient_id, const PatientIdentity& masked);

}  // namespace vigil::store
