#pragma once
// Device API keys: "vk_" followed by 32 random bytes in base64url (46 characters in all).
//
// Only hash_api_key(key) is stored; the key itself is shown once when issued. An unsalted, fast
// hash is enough here because the input is 256 bits of CSPRNG output: there is no dictionary to
// precompute and brute force is infeasible, so salts and slow KDFs (which exist to protect
// low-entropy passwords) would add cost on every request and nothing else. Looking a key up by its
// hash also means comparisons never touch the secret itself.
//
// Thread-safe. generate_api_key() throws std::runtime_error only if the OpenSSL RNG fails.
#include <string>
#include <string_view>

namespace vigil::auth {

std::string generate_api_key();
// Lowercase hex SHA-256 of the whole key (prefix included), 64 characters.
std::string hash_api_key(std::string_view key);
// Shape check only (prefix, length, alphabet); cheap rejection before any lookup.
bool looks_like_api_key(std::string_view text);

}  // namespace vigil::auth
