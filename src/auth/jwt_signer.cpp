#include <stdexcept>

#include "auth/base64url.h"
#include "auth/jwt.h"
#include "auth/jwt_json.h"

namespace vigil::auth {

JwtSigner::JwtSigner(JwtAlg alg, std::string secret, crypto::PkeyPtr key)
    : alg_(alg), secret_(std::move(secret)), key_(std::move(key)) {}

JwtSigner JwtSigner::hs256(std::string secret) {
  if (secret.size() < kMinHs256SecretBytes)
    throw std::invalid_argument("hs256 secret: must be at least 32 bytes");
  return JwtSigner(JwtAlg::hs256, std::move(secret), nullptr);
}

JwtSigner JwtSigner::from_private_key_pem(std::string_view pem) {
  auto key = crypto::read_private_key_pem(pem, "private key");
  const JwtAlg alg = crypto::key_type(*key) == crypto::KeyType::rsa ? JwtAlg::rs256 : JwtAlg::es256;
  return JwtSigner(alg, {}, std::move(key));
}

std::string JwtSigner::sign(const Claims& claims) const {
  std::string token = base64url_encode(jwt_json::header(alg_));
  token += '.';
  token += base64url_encode(jwt_json::serialize_claims(claims));
  std::string signature;
  switch (alg_) {
    case JwtAlg::hs256:
      signature = crypto::hmac_sha256(secret_, token);
      break;
    case JwtAlg::rs256:
      signature = crypto::sign_sha256(*key_, token);
      break;
    case JwtAlg::es256:
      signature = crypto::ecdsa_p256_der_to_raw(crypto::sign_sha256(*key_, token));
      break;
  }
  if (signature.empty()) throw std::runtime_error("JWT signing produced no signature");
  token += '.';
  token += base64url_encode(signature);
  return token;
}

}  // namespace vigil::auth
