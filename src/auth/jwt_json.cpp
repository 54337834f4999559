#include "auth/jwt_json.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>

namespace vigil::auth::jwt_json {
namespace {

namespace json = boost::json;
using Result = JwtVerifier::Result;

// 9999-12-31T23:59:59Z: beyond it a NumericDate is nonsense and could overflow TimePoint arithmetic.
constexpr std::int64_t kMaxNumericDate = 253402300799;

std::optional<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::optional<TimePoint> numeric_date(const json::value& v) {
  using std::chrono::milliseconds;
  if (v.is_int64() && v.get_int64() >= 0 && v.get_int64() <= kMaxNumericDate) {
    return TimePoint(milliseconds(v.get_int64() * 1000));
  }
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(kMaxNumericDate)) {
    return TimePoint(milliseconds(static_cast<std::int64_t>(v.get_uint64()) * 1000));
  }
  if (v.is_double() && std::isfinite(v.get_double()) && v.get_double() >= 0 &&
      v.get_double() <= static_cast<double>(kMaxNumericDate)) {
    return TimePoint(milliseconds(static_cast<std::int64_t>(std::floor(v.get_double() * 1000))));
  }
  return std::nullopt;
}

std::int64_t to_numeric_date(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

bool read_string(const json::object& obj, std::string_view key, std::string& out) {
  const json::value* v = obj.if_contains(json::string_view(key.data(), key.size()));
  if (!v) return true;
  if (!v->is_string()) return false;
  out.assign(v->get_string().data(), v->get_string().size());
  return true;
}

// A string array; with `allow_single_string`, a lone string too (aud may be either).
bool read_strings(const json::object& obj, std::string_view key, bool allow_single_string,
                  std::vector<std::string>& out) {
  const json::value* v = obj.if_contains(json::string_view(key.data(), key.size()));
  if (!v) return true;
  if (allow_single_string && v->is_string()) {
    out.emplace_back(v->get_string().data(), v->get_string().size());
    return true;
  }
  if (!v->is_array()) return false;
  for (const json::value& item : v->get_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.get_string().data(), item.get_string().size());
  }
  return true;
}

Result fail(JwtError error) {
  return Result{std::nullopt, error};
}

}  // namespace

std::optional<std::string> header_alg(std::string_view header_json) {
  const auto obj = parse_object(header_json);
  if (!obj || obj->contains("crit")) return std::nullopt;
  const json::value* alg = obj->if_contains("alg");
  if (!alg || !alg->is_string()) return std::nullopt;
  return std::string(alg->get_string().data(), alg->get_string().size());
}

std::string header(JwtAlg alg) {
  json::object obj;
  obj["alg"] = json::string_view(to_string(alg).data(), to_string(alg).size());
  obj["typ"] = "JWT";
  return json::serialize(obj);
}

Result parse_claims(std::string_view payload_json) {
  const auto obj = parse_object(payload_json);
  if (!obj) return fail(JwtError::malformed);
  Claims claims;
  if (!read_string(*obj, "sub", claims.subject) || !read_string(*obj, "role", claims.role) ||
      !read_string(*obj, "patient", claims.patient) || !read_string(*obj, "iss", claims.issuer) ||
      !read_string(*obj, "jti", claims.token_id) || !read_strings(*obj, "sites", false, claims.sites) ||
      !read_strings(*obj, "aud", true, claims.audience)) {
    return fail(JwtError::malformed);
  }
  const json::value* exp = obj->if_contains("exp");
  if (claims.subject.empty() || claims.role.empty() || !exp) return fail(JwtError::missing_claim);
  const auto expires_at = numeric_date(*exp);
  if (!expires_at) return fail(JwtError::malformed);
  claims.expires_at = *expires_at;
  if (const json::value* nbf = obj->if_contains("nbf")) {
    claims.not_before = numeric_date(*nbf);
    if (!claims.not_before) return fail(JwtError::malformed);
  }
  return Result{std::move(claims), JwtError::malformed};
}

std::string serialize_claims(const Claims& claims) {
  json::object obj;
  auto put_string = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) obj[json::string_view(key.data(), key.size())] = json::string_view(value);
  };
  auto to_array = [](const std::vector<std::string>& values) {
    json::array array;
    for (const auto& v : values) array.emplace_back(json::string_view(v));
    return array;
  };
  put_string("sub", claims.subject);
  put_string("role", claims.role);
  if (!claims.sites.empty()) obj["sites"] = to_array(claims.sites);
  put_string("patient", claims.patient);
  put_string("iss", claims.issuer);
  if (claims.audience.size() == 1) {
    obj["aud"] = json::string_view(claims.audience.front());
  } else if (!claims.audience.empty()) {
    obj["aud"] = to_array(claims.audience);
  }
  obj["exp"] = to_numeric_date(claims.expires_at);
  if (claims.not_before) obj["nbf"] = to_numeric_date(*claims.not_before);
  put_string("jti", claims.token_id);
  return json::serialize(obj);
}

}  // namespace vigil::auth::jwt_json
