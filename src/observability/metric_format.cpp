#include "observability/metric_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace vigil::observability {
namespace {

bool is_alpha_or_underscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_alpha_or_underscore(name[0]) || name[0] == ':')) return false;
  for (const char c : name) {
    if (!(is_alpha_or_underscore(c) || is_digit(c) || c == ':')) return false;
  }
  return true;
}

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || !is_alpha_or_underscore(name[0]) || name.starts_with("__")) return false;
  for (const char c : name) {
    if (!(is_alpha_or_underscore(c) || is_digit(c))) return false;
  }
  return true;
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_escaped_help(std::string& out, std::string_view help) {
  for (const char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  std::array<char, 32> buf{};
  // Below 2^53 every integer is exact, so printing it as an int64 loses nothing and avoids the
  // exponent that the shortest-form printer would choose for values like 1000000.
  constexpr double kExactIntegers = 9007199254740992.0;
  const auto [end, ec] =
      (std::trunc(value) == value && std::fabs(value) < kExactIntegers)
          ? std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<std::int64_t>(value))
          : std::to_chars(buf.data(), buf.data() + buf.size(), value);
  // 32 bytes always hold a shortest-form double, so to_chars cannot fail here.
  out.append(buf.data(), end);
  (void)ec;
}

std::string format_number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

}  // namespace vigil::observability
