#pragma once
// The audit trail's hash chain, shared by every RegistryStore implementation and by offline
// verifiers. Pure functions: no I/O, no clock, thread-safe.
//
// Canonical serialization (version 1), the bytes that are hashed: the tag "vigil-audit-v1\n" and then
// each field in this order, each as "<byte length>:<bytes>\n", or "-\n" for a null value:
//   seq (decimal), actor, at (RFC 3339 UTC, milliseconds, "Z"), action, entity_type, entity_id,
//   old_value, new_value, reason, prev_hash.
// Length prefixes make it unambiguous whatever the fields contain (newlines, colons, any UTF-8).
// hash = lowercase hex SHA-256 of that serialization. Record 1's prev_hash is kGenesisHash.
#include <cstdint>
#include <string>
#include <vector>

#include "store/entities.h"
#include "store/registry_store.h"

namespace vigil::store {

inline const std::string kGenesisHash(64, '0');

std::string canonical_serialization(const AuditRecord& record);
std::string record_hash(const AuditRecord& record);
// Lowercase hex SHA-256 of arbitrary bytes.
std::string sha256_hex(std::string_view bytes);

// Fills seq, prev_hash and hash of `record` as the successor of `previous` (nullptr: the first).
void chain_after(const AuditRecord* previous, AuditRecord& record);

// Checks records one at a time in the order they are read, so a store can stream a long trail.
// Not thread-safe; one verifier per walk.
class ChainVerifier {
 public:
  // Returns false at the first record that breaks the chain; later calls change nothing.
  bool feed(const AuditRecord& record);
  [[nodiscard]] const VerifyResult& result() const { return result_; }

 private:
  VerifyResult result_;
  std::int64_t last_seq_ = 0;
  std::string last_hash_ = kGenesisHash;
};

// Verifies a whole sequence (in the given order).
VerifyResult verify_chain(const std::vector<AuditRecord>& records);

}  // namespace vigil::store
