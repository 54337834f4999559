#pragma once
// The JSON halves of a JWT: the JOSE header and the claims payload. Internal to src/auth/.
// Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt.h"

namespace vigil::auth::jwt_json {

// The header's "alg" value; nullopt when the header is not a JSON object with a string alg, or
// carries "crit" (extensions this verifier cannot honour, which RFC 7515 says must be rejected).
std::optional<std::string> header_alg(std::string_view header_json);
std::string header(JwtAlg alg);

// Claims from a signature-verified payload: malformed for non-objects and wrong claim types,
// missing_claim when sub, role or exp is absent or sub/role is empty. Times are not checked here.
JwtVerifier::Result parse_claims(std::string_view payload_json);
std::string serialize_claims(const Claims& claims);

}  // namespace vigil::auth::jwt_json
