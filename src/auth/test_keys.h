#pragma once
// Test-only key material, generated in-process (EVP_PKEY_Q_keygen) so no secrets live in the repo.
// The shared keys are generated once per test binary; access is thread-safe.
#include <string>
#include <string_view>

namespace vigil::auth::testing {

struct KeyPair {
  std::string private_pem;  // PKCS#8, unencrypted
  std::string public_pem;   // SubjectPublicKeyInfo
};

const KeyPair& rsa_2048();
const KeyPair& ec_p256();
// A fresh key: type "RSA" with `bits`, or "EC" with curve `curve` ("P-256", "P-384").
KeyPair generate_rsa(unsigned bits);
KeyPair generate_ec(const char* curve);

// A compact JWS from raw parts, for tokens a JwtSigner would refuse to make.
std::string make_token(std::string_view header_json, std::string_view payload_json,
                       std::string_view signature);
// The same, HS256-signed with `secret` over whatever header is given.
std::string make_hs256_token(std::string_view header_json, std::string_view payload_json,
                             std::string_view secret);

}  // namespace vigil::auth::testing
