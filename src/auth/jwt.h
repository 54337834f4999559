#pragma once
// JSON Web Tokens (RFC 7519) for staff and patient-app sessions: verification on every request and
// minting for `vigil token issue` and tests. Only compact JWS with HS256, RS256 or ES256.
//
// Security rules the verifier enforces:
// - The header's alg must be one this verifier holds a key for. "none" is never accepted, and keys
//   are bound to their algorithm, so an HS256 token cannot be checked with the RSA/EC public key
//   used as an HMAC secret (algorithm confusion).
// - The signature is checked before the payload is even decoded.
// - exp is required and nbf optional, both with `leeway` for clock skew; sub and role are required;
//   iss and aud must match when the options set them.
// - HS256 secrets must be at least 32 bytes (RFC 7518 section 3.2); RSA keys at least 2048 bits.
//
// Thread safety: JwtVerifier and JwtSigner are immutable after construction and safe to share
// between threads. The Clock must outlive the verifier.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto.h"
#include "common/clock.h"

namespace vigil::auth {

// RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output.
inline constexpr std::size_t kMinHs256SecretBytes = 32;

enum class JwtAlg { hs256, rs256, es256 };
std::string_view to_string(JwtAlg alg);  // "HS256", "RS256", "ES256"
// Exact, case-sensitive match of the names above.
std::optional<JwtAlg> parse_jwt_alg(std::string_view name);

struct JwtVerifierOptions {
  std::string hs256_secret{};    // empty: HS256 disabled
  std::string public_key_pem{};  // RSA (RS256) or EC P-256 (ES256) SubjectPublicKeyInfo; empty: disabled
  std::string issuer{};          // when non-empty, iss must equal it
  std::string audience{};        // when non-empty, it must be in aud (a string or an array)
  std::chrono::seconds leeway{30};
  std::size_t max_token_bytes = 8192;
};

struct Claims {
  std::string subject;                  // sub
  std::string role;                     // role (see auth/principal.h for the known roles)
  std::vector<std::string> sites;       // sites the subject works at
  std::string patient;                  // patient-app tokens: the patient the app acts for
  std::string issuer;                   // iss
  std::vector<std::string> audience;    // aud
  TimePoint expires_at;                 // exp (whole seconds on the wire)
  std::optional<TimePoint> not_before;  // nbf
  std::string token_id;                 // jti

  bool operator==(const Claims&) const = default;
};

enum class JwtError {
  malformed,              // not three base64url parts, bad JSON, wrong claim type
  unsupported_algorithm,  // alg unknown, "none", or no key configured for it
  bad_signature,
  expired,
  not_yet_valid,
  wrong_issuer,
  wrong_audience,
  missing_claim,  // sub, role or exp absent (or empty)
  too_large,      // longer than max_token_bytes; rejected before any parsing
};
// snake_case names, suitable for logs and metric labels.
std::string_view to_string(JwtError error);

class JwtVerifier {
 public:
  struct Result {
    std::optional<Claims> claims;          // set when the token is valid
    JwtError error = JwtError::malformed;  // meaningful only when claims is empty
    [[nodiscard]] bool ok() const { return claims.has_value(); }
  };

  // Throws std::invalid_argument (one line, naming the setting) on an unreadable or unsupported
  // public key, an HS256 secret shorter than 32 bytes, or when no key is configured at all.
  JwtVerifier(JwtVerifierOptions options, const Clock& clock);

  [[nodiscard]] Result verify(std::string_view token) const;
  [[nodiscard]] bool accepts(JwtAlg alg) const;

 private:
  [[nodiscard]] bool signature_valid(JwtAlg alg, std::string_view signing_input,
                                     std::string_view signature) const;
  [[nodiscard]] std::optional<JwtError> check_claims(const Claims& claims) const;

  JwtVerifierOptions options_;
  const Clock* clock_;
  crypto::PkeyPtr public_key_;
  std::optional<JwtAlg> public_key_alg_;
};

class JwtSigner {
 public:
  // Throws std::invalid_argument when the secret is shorter than 32 bytes.
  static JwtSigner hs256(std::string secret);
  // RSA (>= 2048 bits) signs RS256, EC P-256 signs ES256. Throws std::invalid_argument on anything
  // else, including encrypted PEMs.
  static JwtSigner from_private_key_pem(std::string_view pem);

  [[nodiscard]] JwtAlg alg() const { return alg_; }
  // Compact serialisation. Empty optional claims are omitted; exp/nbf are truncated to seconds.
  [[nodiscard]] std::string sign(const Claims& claims) const;

 private:
  JwtSigner(JwtAlg alg, std::string secret, crypto::PkeyPtr key);

  JwtAlg alg_;
  std::string secret_;
  crypto::PkeyPtr key_;
};

}  // namespace vigil::auth
