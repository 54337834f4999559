#include "resilience/deadline.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "common/text.h"

namespace vigil::resilience {
namespace {

constexpr std::chrono::milliseconds kMaxRequestTimeout = std::chrono::hours(24);
constexpr std::size_t kMaxGrpcDigits = 8;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

TimeoutParse fail(std::string message) {
  return TimeoutParse{std::nullopt, std::move(message)};
}

}  // namespace

TimeoutParse parse_request_timeout_ms(std::string_view header_value) {
  const std::string_view text = trim(header_value);
  if (!all_digits(text)) return fail("X-Request-Timeout-Ms must be a positive integer of milliseconds");
  std::uint64_t ms = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size() ||
      ms > static_cast<std::uint64_t>(kMaxRequestTimeout.count())) {
    return fail(fmt::format("X-Request-Timeout-Ms must be at most {} (24 h)", kMaxRequestTimeout.count()));
  }
  if (ms == 0) return fail("X-Request-Timeout-Ms must be positive");
  return TimeoutParse{std::chrono::milliseconds(ms), {}};
}

TimeoutParse parse_grpc_timeout(std::string_view header_value) {
  const std::string_view text = trim(header_value);
  if (text.size() < 2) return fail("grpc-timeout must be 1-8 digits followed by a unit (H M S m u n)");
  const std::string_view digits = text.substr(0, text.size() - 1);
  const char unit = text.back();
  if (!all_digits(digits)) return fail("grpc-timeout must be 1-8 digits followed by a unit (H M S m u n)");
  if (digits.size() > kMaxGrpcDigits) return fail("grpc-timeout has more than 8 digits");
  std::int64_t n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);  // <= 8 digits: cannot overflow
  if (n == 0) return fail("grpc-timeout must be positive");

  using namespace std::chrono;
  // At most 99,999,999 H = 3.6e14 ms: no overflow in int64 milliseconds.
  switch (unit) {
    case 'H':
      return TimeoutParse{duration_cast<milliseconds>(hours(n)), {}};
    case 'M':
      return TimeoutParse{duration_cast<milliseconds>(minutes(n)), {}};
    case 'S':
      return TimeoutParse{duration_cast<milliseconds>(seconds(n)), {}};
    case 'm':
      return TimeoutParse{milliseconds(n), {}};
    case 'u':
      return TimeoutParse{ceil<milliseconds>(microseconds(n)), {}};
    case 'n':
      return TimeoutParse{ceil<milliseconds>(nanoseconds(n)), {}};
    default:
      return fail("grpc-timeout has an unknown unit (expected H M S m u n)");
  }
}

std::chrono::milliseconds effective_timeout(std::chrono::milliseconds route_default,
                                            std::optional<std::chrono::milliseconds> client) {
  return client ? std::min(route_default, *client) : route_default;
}

}  // namespace vigil::resilience
