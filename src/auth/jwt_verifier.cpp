#include <algorithm>
#include <stdexcept>

#include "auth/base64url.h"
#include "auth/jwt.h"
#include "auth/jwt_json.h"

namespace vigil::auth {
namespace {

JwtVerifier::Result fail(JwtError error) {
  return JwtVerifier::Result{std::nullopt, error};
}

}  // namespace

JwtVerifier::JwtVerifier(JwtVerifierOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(&clock) {
  if (!options_.hs256_secret.empty() && options_.hs256_secret.size() < kMinHs256SecretBytes) {
    throw std::invalid_argument("hs256_secret: must be at least 32 bytes");
  }
  if (!options_.public_key_pem.empty()) {
    public_key_ = crypto::read_public_key_pem(options_.public_key_pem, "public_key_pem");
    public_key_alg_ = crypto::key_type(*public_key_) == crypto::KeyType::rsa ? JwtAlg::rs256 : JwtAlg::es256;
  }
  if (options_.hs256_secret.empty() && !public_key_) {
    throw std::invalid_argument("JWT verifier: no key configured (set hs256_secret or public_key_pem)");
  }
}

bool JwtVerifier::accepts(JwtAlg alg) const {
  return alg == JwtAlg::hs256 ? !options_.hs256_secret.empty() : public_key_alg_ == alg;
}

JwtVerifier::Result JwtVerifier::verify(std::string_view token) const {
  if (token.size() > options_.max_token_bytes) return fail(JwtError::too_large);
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(JwtError::malformed);
  }
  const auto header = base64url_decode(token.substr(0, dot1));
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header || !signature) return fail(JwtError::malformed);
  const auto alg_name = jwt_json::header_alg(*header);
  if (!alg_name) return fail(JwtError::malformed);
  const auto alg = parse_jwt_alg(*alg_name);
  if (!alg || !accepts(*alg)) return fail(JwtError::unsupported_algorithm);
  if (!signature_valid(*alg, token.substr(0, dot2), *signature)) return fail(JwtError::bad_signature);

  const auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return fail(JwtError::malformed);
  Result result = jwt_json::parse_claims(*payload);
  if (!result.ok()) return result;
  if (const auto error = check_claims(*result.claims)) return fail(*error);
  return result;
}

bool JwtVerifier::signature_valid(JwtAlg alg, std::string_view signing_input,
                                  std::string_view signature) const {
  switch (alg) {
    case JwtAlg::hs256:
      return crypto::equal_constant_time(crypto::hmac_sha256(options_.hs256_secret, signing_input),
                                         signature);
    case JwtAlg::rs256:
      return crypto::verify_sha256(*public_key_, signing_input, signature);
    case JwtAlg::es256: {
      const std::string der = crypto::ecdsa_p256_raw_to_der(signature);
      return !der.empty() && crypto::verify_sha256(*public_key_, signing_input, der);
    }
  }
  return false;
}

std::optional<JwtError> JwtVerifier::check_claims(const Claims& claims) const {
  const TimePoint now = clock_->now();
  if (now >= claims.expires_at + options_.leeway) return JwtError::expired;
  if (claims.not_before && now < *claims.not_before - options_.leeway) return JwtError::not_yet_valid;
  if (!options_.issuer.empty() && claims.issuer != options_.issuer) return JwtError::wrong_issuer;
  if (!options_.audience.empty() &&
      std::find(claims.audience.begin(), claims.audience.end(), options_.audience) == claims.audience.end()) {
    return JwtError::wrong_audience;
  }
  return std::nullopt;
}

}  // namespace vigil::auth
