#include "api/query.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/url/parse_query.hpp>
#include <charconv>

namespace vigil::api {

QueryParams::QueryParams(std::string_view query) {
  if (query.empty()) return;
  // Boost.URL 1.81's parser reads one byte past the end of the query (found with valgrind), and a
  // request target is not NUL-terminated: parse a terminated copy.
  const std::string text(query);
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) {
    add_error("", "malformed query string");
    return;
  }
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto param : *parsed) {
    params_.emplace_back(param.key.decode(opts), param.has_value ? param.value.decode(opts) : std::string());
  }
}

std::optional<std::string> QueryParams::text(std::string_view name) const {
  for (auto it = params_.rbegin(); it != params_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::optional<std::string> QueryParams::non_empty(std::string_view name) {
  auto value = text(name);
  if (value && value->empty()) {
    add_error(name, "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<TimePoint> QueryParams::time(std::string_view name) {
  auto value = text(name);
  if (!value) return std::nullopt;
  TimePoint t{};
  if (!parse_rfc3339(*value, t)) {
    add_error(name, "must be an RFC 3339 time such as 2026-11-22T08:00:00Z");
    return std::nullopt;
  }
  return t;
}

std::optional<std::size_t> QueryParams::count(std::string_view name, std::size_t min, std::size_t max) {
  auto value = text(name);
  if (!value) return std::nullopt;
  std::size_t n = 0;
  const auto* end = value->data() + value->size();
  const auto [ptr, ec] = std::from_chars(value->data(), end, n);
  if (ec != std::errc{} || ptr != end || n < min || n > max) {
    add_error(name, fmt::format("must be an integer from {} to {}", min, max));
    return std::nullopt;
  }
  return n;
}

void QueryParams::reject_unknown(std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : params_) {
    if (std::find(known.begin(), known.end(), key) == known.end()) add_error(key, "unknown query parameter");
  }
}

}  // namespace vigil::api
