#pragma once
// Base64url (RFC 4648 section 5) without padding, as JWTs and API keys use it.
//
// Decoding is strict: padding, whitespace, characters outside [A-Za-z0-9_-], an impossible length
// (4n+1) and non-zero unused trailing bits are all rejected, so every byte string has exactly one
// accepted encoding (a signature cannot be re-encoded into a different but equivalent token).
//
// Pure functions; thread-safe. Strings are used as byte containers.
#include <optional>
#include <string>
#include <string_view>

namespace vigil::auth {

std::string base64url_encode(std::string_view bytes);
// nullopt on any invalid input.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace vigil::auth
