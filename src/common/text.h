#pragma once
// Small text helpers shared by the parsers of headers, /proc files and credential files.
// Pure and thread-safe.
#include <string_view>

namespace vigil {

// HTTP's optional whitespace (RFC 9110, 5.6.3): space and horizontal tab.
inline constexpr std::string_view kOptionalWhitespace = " \t";

// `s` without leading and trailing characters from `chars`; empty when nothing else is left.
constexpr std::string_view trim(std::string_view s, std::string_view chars = kOptionalWhitespace) {
  const auto first = s.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(chars) - first + 1);
}

}  // namespace vigil
