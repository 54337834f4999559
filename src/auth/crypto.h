#pragma once
// Thin RAII wrappers over the OpenSSL 3 EVP calls the auth module needs. Internal to src/auth/.
//
// Errors: functions that take key material from configuration throw std::invalid_argument with a
// one-line message; failures that indicate a broken OpenSSL (allocation, RNG) throw
// std::runtime_error. Verification failures are return values. Every failure path clears the
// thread's OpenSSL error queue so it cannot leak into an unrelated later call.
//
// Thread safety: all functions are thread-safe; a key may be used by many threads at once for
// signing and verifying, as OpenSSL 3 does not mutate an EVP_PKEY during those operations.
#include <openssl/types.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace vigil::auth::crypto {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

enum class KeyType { rsa, ec_p256 };

// `what` names the setting in error messages ("public_key_pem"). Encrypted PEMs are rejected (no
// passphrase prompt). Only RSA keys of at least 2048 bits and EC keys on P-256 are accepted.
PkeyPtr read_public_key_pem(std::string_view pem, std::string_view what);
PkeyPtr read_private_key_pem(std::string_view pem, std::string_view what);
// The type of a key returned by the readers above.
KeyType key_type(const EVP_PKEY& key);

std::string sha256(std::string_view data);
// The same digest without allocating (after each thread's first call): what a per-request caller uses.
using Sha256Digest = std::array<unsigned char, 32>;
Sha256Digest sha256_digest(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string random_bytes(std::size_t n);
// Constant-time equality (CRYPTO_memcmp); false on differing lengths.
bool equal_constant_time(std::string_view a, std::string_view b);

// RSASSA-PKCS1-v1_5 or ECDSA over SHA-256. ECDSA signatures here are DER (X9.62), as OpenSSL uses.
std::string sign_sha256(EVP_PKEY& key, std::string_view data);
bool verify_sha256(EVP_PKEY& key, std::string_view data, std::string_view signature);

// JOSE (RFC 7518 section 3.4) carries ES256 signatures as fixed-size r||s (32 bytes each); OpenSSL
// wants DER. Both return an empty string when the input is not a valid signature encoding.
std::string ecdsa_p256_raw_to_der(std::string_view raw);
std::string ecdsa_p256_der_to_raw(std::string_view der);

}  // namespace vigil::auth::crypto
