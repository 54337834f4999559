#include "store/audit_chain.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace vigil::store {
namespace {

void field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

void nullable_field(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    field(out, *value);
  } else {
    out += "-\n";
  }
}

VerifyResult broken(std::int64_t checked, std::int64_t seq, VerifyResult::Problem problem,
                    std::string detail) {
  VerifyResult r;
  r.ok = false;
  r.checked = checked;
  r.broken_seq = seq;
  r.problem = problem;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    // Only a broken OpenSSL installation gets here; nothing can be recorded safely without it.
    throw std::runtime_error("SHA-256 is unavailable in this OpenSSL build");
  }
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string canonical_serialization(const AuditRecord& r) {
  std::string out = "vigil-audit-v1\n";
  field(out, std::to_string(r.seq));
  field(out, r.actor);
  field(out, format_rfc3339(r.at));
  field(out, r.action);
  field(out, r.entity_type);
  field(out, r.entity_id);
  nullable_field(out, r.old_value);
  nullable_field(out, r.new_value);
  field(out, r.reason);
  field(out, r.prev_hash);
  return out;
}

std::string record_hash(const AuditRecord& record) {
  return sha256_hex(canonical_serialization(record));
}

void chain_after(const AuditRecord* previous, AuditRecord& record) {
  record.seq = previous ? previous->seq + 1 : 1;
  record.prev_hash = previous ? previous->hash : kGenesisHash;
  record.hash = record_hash(record);
}

bool ChainVerifier::feed(const AuditRecord& r) {
  if (!result_.ok) return false;
  const std::int64_t expected = last_seq_ + 1;
  if (r.seq != expected) {
    result_ = broken(result_.checked, expected, VerifyResult::Problem::seq_gap,
                     fmt::format("records out of sequence: expected seq {} next, found {}", expected, r.seq));
    return false;
  }
  if (r.prev_hash != last_hash_) {
    result_ =
        broken(result_.checked, r.seq, VerifyResult::Problem::prev_hash_mismatch,
               fmt::format("record {}: prev_hash does not match the hash of record {}", r.seq, last_seq_));
    return false;
  }
  if (record_hash(r) != r.hash) {
    result_ = broken(result_.checked, r.seq, VerifyResult::Problem::hash_mismatch,
                     fmt::format("record {}: stored hash does not match its fields", r.seq));
    return false;
  }
  last_seq_ = r.seq;
  last_hash_ = r.hash;
  ++result_.checked;
  return true;
}

VerifyResult verify_chain(const std::vector<AuditRecord>& records) {
  ChainVerifier verifier;
  for (const auto& r : records) {
    if (!verifier.feed(r)) break;
  }
  return verifier.result();
}

}  // namespace vigil::store
