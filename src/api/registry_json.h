#pragma once
// Internal to the api module: the JSON forms of registry entities on the management routes, and a
// strict reader for their request bodies.
//
// The API forms differ from the audit forms (store/entity_json.h) on purpose: they never carry a
// device's key hash, and they use null for "not set" (a device's patient, a screened patient's
// enrolment time).
//
// BodyReader collects every problem of a body before answering, each with its field path: a wrong
// type, a missing required field, a string over its limit, and (reject_unknown) every field no
// getter asked for. Pure functions and single-threaded values.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/field_error.h"
#include "http/problem.h"
#include "http/types.h"
#include "registry/registry.h"
#include "store/entities.h"

namespace vigil::api::detail {

// String limits (bytes) of the management routes; ids follow the store's rule (store/rules.h).
inline constexpr std::size_t kMaxIdBytes = 128;
inline constexpr std::size_t kMaxNameBytes = 256;
inline constexpr std::size_t kMaxReasonBytes = 2000;
inline constexpr std::size_t kMaxDocumentBytes = 256 * 1024;

boost::json::object to_json(const registry::Trial& trial);
boost::json::object to_json(const registry::Site& site);
boost::json::object to_json(const registry::Patient& patient);
boost::json::object to_json(const store::Device& device);  // never the key or its hash
boost::json::object to_json(const store::User& user);
// `with_document`: listings leave the YAML out.
boost::json::object to_json(const store::ProtocolVersion& protocol, bool with_document);
boost::json::object to_json(const store::AuditRecord& record);
boost::json::object to_json(const store::TrialCounts& counts);
// {"name": ..., "national_id": ...} of already masked values, or null.
boost::json::value to_json(const std::optional<store::PatientIdentity>& masked);

// {"<key>": [items...], "next_cursor": "..." | null}
boost::json::object page_json(std::string_view key, boost::json::array items, const std::string& next_cursor);

// 200 with one page of a listing: {"<key>": [to_item(x), ...], "next_cursor": ...}.
template <typename T, typename ToJson>
http::Response page_response(std::string_view key, const store::Page<T>& page, ToJson to_item) {
  boost::json::array items;
  items.reserve(page.items.size());
  for (const auto& x : page.items) items.push_back(to_item(x));
  return http::json_response(http::Status::ok, page_json(key, std::move(items), page.next_cursor));
}

enum class Need { optional, required };

class BodyReader {
 public:
  // Parses the request body; an empty body reads as {} (so required fields are reported as
  // missing). On a body that is not application/json (415), not JSON or not an object (400),
  // `failure()` holds the response to send.
  explicit BodyReader(const http::Request& request);

  [[nodiscard]] std::optional<http::Response>& failure() { return failure_; }

  [[nodiscard]] bool has(std::string_view key);      // present and not null; marks the key as known
  [[nodiscard]] bool present(std::string_view key);  // present, null included; marks the key as known
  // A string of at most `max` bytes with no control characters in ids; empty strings are errors for
  // required fields.
  std::optional<std::string> text(std::string_view key, Need need, std::size_t max);
  // An id: 1..kMaxIdBytes bytes, no control characters.
  std::optional<std::string> id(std::string_view key, Need need);
  std::optional<std::int64_t> integer(std::string_view key, Need need, std::int64_t min, std::int64_t max);
  std::optional<TimePoint> time(std::string_view key, Need need);
  std::optional<std::vector<std::string>> id_list(std::string_view key, Need need);
  // Marks `key` as known but refused with `message` when present (e.g. an immutable field).
  void forbid(std::string_view key, std::string message);
  // One error per field no getter asked about.
  void reject_unknown();

  void add_error(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }
  [[nodiscard]] const std::vector<domain::FieldError>& errors() const { return errors_; }

 private:
  const boost::json::value* field(std::string_view key, Need need);

  boost::json::object body_;
  std::optional<http::Response> failure_;
  std::set<std::string, std::less<>> known_;
  std::vector<domain::FieldError> errors_;
};

// 422 problem listing `errors` (detail: the first one).
http::Response invalid_fields(std::string_view slug, std::string_view title,
                              const std::vector<domain::FieldError>& errors);

}  // namespace vigil::api::detail
