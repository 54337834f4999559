// The observation intake parser of codec.h: one object or {"observations":[...]}.
#include <fmt/format.h>

#include <utility>

#include "domain/codec.h"
#include "domain/json_read.h"

namespace vigil::domain {

using namespace json;  // the readers of json_read.h, written for this file and its sibling

namespace {

error_code read_component(od::object& object, const Sink& sink, Component& out) {
  enum : unsigned { kCode, kValue, kUnit, kUnknown };
  Seen seen;
  for (auto field_result : object) {
    od::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    SIMDJSON_TRY(field.unescaped_key().get(key));
    od::value& v = field.value();
    bool present = false;
    const unsigned bit = key == "code" ? kCode : key == "value" ? kValue : key == "unit" ? kUnit : kUnknown;
    if (bit == kUnknown) {
      SIMDJSON_TRY(reject(v, sink, shorten(key), "unknown field"));
    } else if (!seen.first(bit)) {
      SIMDJSON_TRY(reject(v, sink, key, "duplicate field"));
    } else if (bit == kValue) {
      SIMDJSON_TRY(read_number(v, sink, key, out.value, false, present));
    } else {
      SIMDJSON_TRY(read_string(v, sink, key, bit == kCode ? out.code : out.unit, false));
    }
  }
  seen.require(kCode, sink, "code");
  seen.require(kValue, sink, "value");
  seen.require(kUnit, sink, "unit");
  return SUCCESS;
}

error_code read_components(od::value& v, std::vector<FieldError>& errors, std::vector<Component>& out) {
  const Sink top{errors, ""};
  od::json_type type{};
  SIMDJSON_TRY(v.type().get(type));
  if (type == od::json_type::null) return read_null(v);
  if (type != od::json_type::array) return reject(v, top, "components", "must be an array");
  od::array array;
  SIMDJSON_TRY(v.get_array().get(array));
  std::size_t count = 0;
  SIMDJSON_TRY(array.count_elements().get(count));
  if (count > kMaxComponents) {
    top.add("components", fmt::format("must hold at most {} components", kMaxComponents));
    for (auto element_result : array) {
      od::value element;
      SIMDJSON_TRY(element_result.get(element));
      SIMDJSON_TRY(skip_checked(element));
    }
    return SUCCESS;
  }
  out.reserve(count);
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    SIMDJSON_TRY(element_result.get(element));
    const Sink sink{errors, "components", index++};
    od::json_type element_type{};
    SIMDJSON_TRY(element.type().get(element_type));
    if (element_type != od::json_type::object) {
      errors.push_back({fmt::format("components[{}]", sink.index), "must be an object"});
      SIMDJSON_TRY(skip_checked(element));
      continue;
    }
    od::object object;
    SIMDJSON_TRY(element.get_object().get(object));
    SIMDJSON_TRY(read_component(object, sink, out.emplace_back()));
  }
  return SUCCESS;
}

enum ObservationField : unsigned {
  kId,
  kPatient,
  kDevice,
  kCode,
  kValue,
  kUnit,
  kTime,
  kComponents,
  kUnknown
};

ObservationField observation_field(std::string_view key) {
  constexpr std::pair<std::string_view, ObservationField> kNames[] = {
      {"id", kId},       {"patient_id", kPatient}, {"device_id", kDevice},    {"code", kCode},
      {"value", kValue}, {"unit", kUnit},          {"effective_time", kTime}, {"components", kComponents}};
  for (const auto& [name, field] : kNames) {
    if (name == key) return field;
  }
  return kUnknown;
}

// Reads one field of an observation object into `item`.
error_code read_observation_field(std::string_view key, od::value& v, Seen& seen, ObservationItem& item) {
  const Sink sink{item.errors, ""};
  Observation& obs = item.observation;
  const ObservationField field = observation_field(key);
  if (field == kUnknown) return reject(v, sink, shorten(key), "unknown field");
  if (!seen.first(field)) return reject(v, sink, key, "duplicate field");
  switch (field) {
    case kId:
      return read_string(v, sink, key, obs.id, false);
    case kPatient:
      return read_string(v, sink, key, obs.patient_id, false);
    case kDevice:
      return read_string(v, sink, key, obs.device_id, true);
    case kCode:
      return read_string(v, sink, key, obs.code, false);
    case kValue: {
      double value = 0;
      bool present = false;
      SIMDJSON_TRY(read_number(v, sink, key, value, true, present));
      if (present) obs.value = value;
      return SUCCESS;
    }
    case kUnit:
      return read_string(v, sink, key, obs.unit, true);
    case kTime:
      return read_time(v, sink, key, obs.effective_time);
    case kComponents:
      return read_components(v, item.errors, obs.components);
    case kUnknown:
      break;
  }
  return SUCCESS;
}

void require_observation_fields(const Seen& seen, ObservationItem& item) {
  const Sink sink{item.errors, ""};
  seen.require(kId, sink, "id");
  seen.require(kPatient, sink, "patient_id");
  seen.require(kCode, sink, "code");
  seen.require(kTime, sink, "effective_time");
}

error_code read_observation(od::object& object, ObservationItem& item) {
  Seen seen;
  for (auto field_result : object) {
    od::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    SIMDJSON_TRY(field.unescaped_key().get(key));
    SIMDJSON_TRY(read_observation_field(key, field.value(), seen, item));
  }
  require_observation_fields(seen, item);
  return SUCCESS;
}

error_code read_batch(od::array& array, ParsedObservations& out) {
  for (auto element_result : array) {
    od::value element;
    SIMDJSON_TRY(element_result.get(element));
    auto& item = out.items.emplace_back();
    od::json_type type{};
    SIMDJSON_TRY(element.type().get(type));
    if (type != od::json_type::object) {
      item.errors.push_back({"", "must be an object"});
      SIMDJSON_TRY(skip_checked(element));
      continue;
    }
    od::object object;
    SIMDJSON_TRY(element.get_object().get(object));
    SIMDJSON_TRY(read_observation(object, item));
  }
  return SUCCESS;
}

// Reads the root of an observations body into `out`; on a structural error returns it, on a shape
// problem sets out.status.
error_code read_observations_root(od::document& doc, std::size_t max_batch, ParsedObservations& out) {
  od::json_type type{};
  SIMDJSON_TRY(doc.type().get(type));
  if (type != od::json_type::object) {
    SIMDJSON_TRY(check_root(doc, type));
    out = fail<ParsedObservations>(ParseStatus::wrong_shape, "expected a JSON object");
    return SUCCESS;
  }
  od::object root;
  SIMDJSON_TRY(doc.get_object().get(root));
  // One pass: fields are read as a single observation until "observations" shows this is a batch.
  ObservationItem single;
  Seen seen;
  bool other_fields = false;
  int batches = 0;
  for (auto field_result : root) {
    od::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    SIMDJSON_TRY(field.unescaped_key().get(key));
    od::value& v = field.value();
    if (key != "observations") {
      other_fields = true;
      SIMDJSON_TRY(read_observation_field(key, v, seen, single));
      continue;
    }
    od::json_type batch_type{};
    SIMDJSON_TRY(v.type().get(batch_type));
    if (++batches > 1 || batch_type != od::json_type::array) {
      SIMDJSON_TRY(skip_checked(v));  // the shape is wrong; only well-formedness is still in question
      continue;
    }
    od::array array;
    SIMDJSON_TRY(v.get_array().get(array));
    std::size_t count = 0;
    SIMDJSON_TRY(array.count_elements().get(count));
    if (count > max_batch) {
      out = fail<ParsedObservations>(
          ParseStatus::too_many,
          fmt::format("a batch holds at most {} observations, not {}", max_batch, count));
      return SUCCESS;
    }
    out.items.reserve(count);
    SIMDJSON_TRY(read_batch(array, out));
  }
  if (!at_end(doc)) return simdjson::TAPE_ERROR;
  if (batches == 0) {
    require_observation_fields(seen, single);
    out.items.push_back(std::move(single));
    return SUCCESS;
  }
  out.batch = true;
  if (other_fields || batches > 1) {
    out = fail<ParsedObservations>(ParseStatus::wrong_shape,
                                   "a batch is {\"observations\": [...]} and nothing else");
  } else if (out.items.empty()) {
    out = fail<ParsedObservations>(ParseStatus::wrong_shape,
                                   "\"observations\" must be a non-empty array of observation objects");
  }
  return SUCCESS;
}

}  // namespace

ParsedObservations parse_observations(PaddedInput input, std::size_t max_batch) {
  auto& state = thread_state();
  od::document doc;
  error_code e = state.parser.iterate(padded(input, state.buffer)).get(doc);
  ParsedObservations out;
  if (e == SUCCESS) e = read_observations_root(doc, max_batch, out);
  if (e != SUCCESS) return fail<ParsedObservations>(ParseStatus::malformed_json, malformed(e));
  return out;
}

ParsedObservations parse_observations(std::string_view body, std::size_t max_batch) {
  return parse_observations(unpadded(body), max_batch);
}

}  // namespace vigil::domain
