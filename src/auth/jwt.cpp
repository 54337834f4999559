#include "auth/jwt.h"

namespace vigil::auth {

std::string_view to_string(JwtAlg alg) {
  switch (alg) {
    case JwtAlg::hs256:
      return "HS256";
    case JwtAlg::rs256:
      return "RS256";
    case JwtAlg::es256:
      return "ES256";
  }
  return "unknown";
}

std::optional<JwtAlg> parse_jwt_alg(std::string_view name) {
  for (const JwtAlg alg : {JwtAlg::hs256, JwtAlg::rs256, JwtAlg::es256}) {
    if (to_string(alg) == name) return alg;
  }
  return std::nullopt;
}

std::string_view to_string(JwtError error) {
  switch (error) {
    case JwtError::malformed:
      return "malformed";
    case JwtError::unsupported_algorithm:
      return "unsupported_algorithm";
    case JwtError::bad_signature:
      return "bad_signature";
    case JwtError::expired:
      return "expired";
    case JwtError::not_yet_valid:
      return "not_yet_valid";
    case JwtError::wrong_issuer:
      return "wrong_issuer";
    case JwtError::wrong_audience:
      return "wrong_audience";
    case JwtError::missing_claim:
      return "missing_claim";
    case JwtError::too_large:
      return "too_large";
  }
  return "unknown";
}

}  // namespace vigil::auth
