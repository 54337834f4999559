#pragma once
// JSON in and out for observations and questionnaire responses: the intake parsers (simdjson
// On-Demand, on the hot path), and the compact canonical encoding written to the durable log.
//
// Parsing is structural only: field names, JSON types, required fields, string lengths, timestamps.
// Clinical meaning (codes, units, ranges, identifiers) is checked by domain/validate.h afterwards.
//
// Thread safety: every function may be called from any thread. The parsers keep one simdjson parser
// and one padding buffer per thread (thread_local), grown to the largest body seen, so a warm thread
// parses without allocating beyond the result itself.
// Errors: values, never exceptions. A malformed body fails as a whole; in a well-formed batch each
// item carries its own field errors (paths relative to the item: "value", "components[1].unit").
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/field_error.h"
#include "domain/observation.h"
#include "domain/questionnaire.h"

namespace vigil::domain {

inline constexpr std::size_t kDefaultMaxBatch = 1000;
inline constexpr std::size_t kMaxStringLength = 256;  // longer strings are field errors
inline constexpr std::size_t kMaxComponents = 8;
inline constexpr std::size_t kMaxAnswers = 256;
// Bytes simdjson may read past the end of the input (SIMDJSON_PADDING, checked in codec.cpp).
inline constexpr std::size_t kJsonPadding = 64;

enum class ParseStatus {
  ok,              // the body is well-formed and has the right shape; items may still hold errors
  malformed_json,  // not JSON (or trailing bytes after it)
  too_many,        // a batch longer than max_batch
  wrong_shape,     // JSON, but not an object / not {"observations":[...]} / an empty batch
};
std::string_view to_string(ParseStatus status);

// One submitted observation: usable when `errors` is empty; otherwise `observation` holds whatever
// was read (often the id, for the client's benefit) and must not be used further.
struct ObservationItem {
  Observation observation;
  std::vector<FieldError> errors;
  [[nodiscard]] bool ok() const { return errors.empty(); }
};

struct ParsedObservations {
  ParseStatus status = ParseStatus::ok;
  std::string message;                 // why, when status is not ok
  bool batch = false;                  // the body was {"observations":[...]} rather than one object
  std::vector<ObservationItem> items;  // empty unless status is ok; in submission order
};

struct ParsedQuestionnaire {
  ParseStatus status = ParseStatus::ok;
  std::string message;
  QuestionnaireResponse response;
  std::vector<FieldError> errors;  // field errors when status is ok
  [[nodiscard]] bool ok() const { return status == ParseStatus::ok && errors.empty(); }
};

// Input whose buffer may be read up to `capacity` bytes (capacity >= size + kJsonPadding), parsed
// without a copy. E.g. a std::string body after body.reserve(body.size() + kJsonPadding).
struct PaddedInput {
  const char* data = nullptr;
  std::size_t size = 0;
  std::size_t capacity = 0;
};

// Body: one observation object, or {"observations":[...]} with 1..max_batch objects.
// Fields: id, patient_id, code, effective_time (RFC 3339) required; device_id, value, unit,
// components [{code, value, unit}] optional (null counts as absent). Unknown fields are errors.
ParsedObservations parse_observations(std::string_view body, std::size_t max_batch = kDefaultMaxBatch);
// Zero-copy variant; falls back to copying when `input.capacity` is short.
ParsedObservations parse_observations(PaddedInput input, std::size_t max_batch = kDefaultMaxBatch);

// Body: {"id","patient_id","questionnaire","version","authored","answers":{"<item>": number|bool|string}}.
// Every field is required; answers keep their order, duplicates included (validate() reports them).
ParsedQuestionnaire parse_questionnaire_response(std::string_view body);
ParsedQuestionnaire parse_questionnaire_response(PaddedInput input);

// Appends the object as compact JSON in the intake format (fields in a fixed order, absent optional
// fields omitted, doubles in their shortest exact form, times as RFC 3339 UTC with milliseconds).
// Non-finite numbers, which JSON cannot hold, are written as null.
void write_json(const Observation& obs, std::string& out);
void write_json(const QuestionnaireResponse& response, std::string& out);
// Appends `text` as a JSON string literal, quotes included.
void write_json_string(std::string_view text, std::string& out);

// The durable-log encoding: the canonical compact JSON above, so the log stays readable and is
// decoded by the intake parser itself. decode(encode(x)) == x for every object that passed
// validate() (and any other whose strings are at most kMaxStringLength and times within years
// 0000-9999). Decoding returns nullopt for anything the intake parser would refuse.
std::string encode(const Observation& obs);
std::string encode(const QuestionnaireResponse& response);
std::optional<Observation> decode_observation(std::string_view bytes);
std::optional<QuestionnaireResponse> decode_questionnaire_response(std::string_view bytes);

}  // namespace vigil::domain
