#pragma once
// Turning the `auth` configuration into the objects that check and mint tokens. Shared by
// `vigil serve`, `vigil demo` and `vigil token issue`.
//
// The HS256 secret lives in a file (never in the YAML itself, so configuration can be shown and
// versioned without leaking it). With auth.create_secret the file is created with 32 random bytes
// (hex, mode 0600) when missing: convenient for one node and for the demo; a scaled-out deployment
// must give every node the same secret or a public key.
#include <stdexcept>
#include <string>

#include "auth/jwt.h"
#include "common/clock.h"
#include "config/config.h"

namespace vigil::app {

class CredentialError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The HS256 secret (created first when allowed), or empty when no secret file is configured.
// Throws CredentialError naming the file on any problem.
std::string load_hs256_secret(const config::AuthConfig& auth);

// The verifier for incoming tokens. Throws CredentialError when no key is configured or a key is
// unusable.
auth::JwtVerifier make_verifier(const config::AuthConfig& auth, const Clock& clock);

// A signer from the HS256 secret, or from `private_key_file` (PEM, RS256/ES256) when given.
auth::JwtSigner make_signer(const config::AuthConfig& auth, const std::string& private_key_file = "");

// Claims for a token of `ttl` from now, with the configured issuer and audience.
auth::Claims make_claims(const config::AuthConfig& auth, const Clock& clock, std::string subject, std::string role,
                         std::vector<std::string> sites = {}, std::string patient = "");

}  // namespace vigil::app
