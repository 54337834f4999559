#include "domain/json_read.h"

#include <fmt/format.h>

#include <utility>

namespace vigil::domain {

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);

std::string_view to_string(ParseStatus status) {
  switch (status) {
    case ParseStatus::ok:
      return "ok";
    case ParseStatus::malformed_json:
      return "malformed_json";
    case ParseStatus::too_many:
      return "too_many";
    case ParseStatus::wrong_shape:
      return "wrong_shape";
  }
  return "unknown";
}

namespace json {

void Sink::add(std::string_view name, std::string message) const {
  std::string path = parent.empty()      ? std::string(name)
                     : index == kNoIndex ? fmt::format("{}.{}", parent, name)
                                         : fmt::format("{}[{}].{}", parent, index, name);
  errors.push_back({std::move(path), std::move(message)});
}

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

simdjson::padded_string_view padded(PaddedInput input, std::string& buffer) {
  if (input.capacity >= input.size + kJsonPadding) {
    return simdjson::padded_string_view(input.data, input.size, input.capacity);
  }
  buffer.assign(std::string_view(input.data, input.size));
  buffer.resize(input.size + kJsonPadding, '\0');
  return simdjson::padded_string_view(buffer.data(), input.size, buffer.size());
}

PaddedInput unpadded(std::string_view body) {
  return {body.data(), body.size(), 0};
}

namespace {

std::string too_long() {
  return fmt::format("must be at most {} characters", kMaxStringLength);
}

}  // namespace

// Consumes a null the type says is there; a token like "nul" is malformed JSON.
error_code read_null(od::value& v) {
  bool is_null = false;
  SIMDJSON_TRY(v.is_null().get(is_null));
  return is_null ? SUCCESS : simdjson::TAPE_ERROR;
}

// True when `token` (a raw number token, possibly followed by whitespace) follows the JSON number
// grammar. simdjson reports both "01" (not JSON) and "1e999" (JSON, but no double holds it) as
// NUMBER_ERROR; only the first makes the body malformed.
bool is_json_number(std::string_view token) {
  while (!token.empty() &&
         (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r')) {
    token.remove_suffix(1);
  }
  std::size_t i = 0;
  const auto digit = [&](std::size_t k) { return k < token.size() && token[k] >= '0' && token[k] <= '9'; };
  const auto digits = [&] {
    const std::size_t start = i;
    while (digit(i)) ++i;
    return i > start;
  };
  if (i < token.size() && token[i] == '-') ++i;
  if (i < token.size() && token[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == token.size();
}

// Reads a number into `out`. Returns SUCCESS with `representable` false for a valid JSON number no
// double can hold, and an error for a malformed one.
error_code get_number(od::value& v, double& out, bool& representable) {
  const error_code e = v.get_double().get(out);
  representable = e == SUCCESS;
  if (e != simdjson::NUMBER_ERROR && e != simdjson::NUMBER_OUT_OF_RANGE) return e;
  return is_json_number(v.raw_json_token()) ? SUCCESS : simdjson::NUMBER_ERROR;
}

// Our documents are three levels deep; anything much deeper is refused before it can exhaust the
// stack of skip_checked (simdjson On-Demand itself does not limit depth).
constexpr int kMaxDepth = 32;

// Reads and discards a value, so that malformed JSON inside it is still reported as such.
error_code skip_checked(od::value& v, int depth) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  od::json_type type{};
  SIMDJSON_TRY(v.type().get(type));
  switch (type) {
    case od::json_type::array: {
      od::array array;
      SIMDJSON_TRY(v.get_array().get(array));
      for (auto element_result : array) {
        od::value element;
        SIMDJSON_TRY(element_result.get(element));
        SIMDJSON_TRY(skip_checked(element, depth + 1));
      }
      return SUCCESS;
    }
    case od::json_type::object: {
      od::object object;
      SIMDJSON_TRY(v.get_object().get(object));
      for (auto field_result : object) {
        od::field field;
        SIMDJSON_TRY(std::move(field_result).get(field));
        std::string_view key;
        SIMDJSON_TRY(field.unescaped_key().get(key));
        SIMDJSON_TRY(skip_checked(field.value(), depth + 1));
      }
      return SUCCESS;
    }
    case od::json_type::number: {
      double number = 0;
      bool representable = false;
      return get_number(v, number, representable);
    }
    case od::json_type::string: {
      std::string_view text;
      return v.get_string().get(text);
    }
    case od::json_type::boolean: {
      bool flag = false;
      return v.get_bool().get(flag);
    }
    case od::json_type::null:
      return read_null(v);
  }
  return simdjson::TAPE_ERROR;
}

// Records a field error for a value that will not be read, and skips it.
error_code reject(od::value& v, const Sink& sink, std::string_view name, std::string message) {
  sink.add(name, std::move(message));
  return skip_checked(v);
}

std::string_view shorten(std::string_view key) {
  return key.size() > kMaxStringLength ? key.substr(0, kMaxStringLength) : key;
}

// Reads a string field; when `nullable`, JSON null leaves `out` empty.
error_code read_string(od::value& v, const Sink& sink, std::string_view name, std::string& out,
                       bool nullable) {
  od::json_type type{};
  SIMDJSON_TRY(v.type().get(type));
  if (nullable && type == od::json_type::null) return read_null(v);
  if (type != od::json_type::string) return reject(v, sink, name, "must be a string");
  std::string_view text;
  SIMDJSON_TRY(v.get_string().get(text));
  if (text.size() > kMaxStringLength) {
    sink.add(name, too_long());
  } else {
    out.assign(text);
  }
  return SUCCESS;
}

// Reads a number; `present` tells whether one was stored.
error_code read_number(od::value& v, const Sink& sink, std::string_view name, double& out, bool nullable,
                       bool& present) {
  present = false;
  od::json_type type{};
  SIMDJSON_TRY(v.type().get(type));
  if (nullable && type == od::json_type::null) return read_null(v);
  if (type != od::json_type::number) return reject(v, sink, name, "must be a number");
  SIMDJSON_TRY(get_number(v, out, present));
  if (!present) sink.add(name, "is not a representable number");  // e.g. 1e999
  return SUCCESS;
}

error_code read_time(od::value& v, const Sink& sink, std::string_view name, TimePoint& out) {
  od::json_type type{};
  SIMDJSON_TRY(v.type().get(type));
  if (type != od::json_type::string) return reject(v, sink, name, "must be an RFC 3339 timestamp string");
  std::string_view text;
  SIMDJSON_TRY(v.get_string().get(text));
  if (!parse_rfc3339(text, out))
    sink.add(name, "must be an RFC 3339 timestamp, e.g. 2026-11-22T08:00:03.120Z");
  return SUCCESS;
}

// After the root value: anything but the end of input is trailing garbage.
bool at_end(od::document& doc) {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

// Reads a root that is not an object, so that "nope" is malformed while "[]" is merely the wrong
// shape. Scalars at the root have their own accessors in On-Demand.
error_code check_root(od::document& doc, od::json_type type) {
  switch (type) {
    case od::json_type::array: {
      od::array array;
      SIMDJSON_TRY(doc.get_array().get(array));
      for (auto element_result : array) {
        od::value element;
        SIMDJSON_TRY(element_result.get(element));
        SIMDJSON_TRY(skip_checked(element));
      }
      break;
    }
    case od::json_type::number: {
      double number = 0;
      const error_code e = doc.get_double().get(number);
      if (e != SUCCESS && !is_json_number(doc.raw_json_token().value_unsafe())) return e;
      break;
    }
    case od::json_type::string: {
      std::string_view text;
      SIMDJSON_TRY(doc.get_string().get(text));
      break;
    }
    case od::json_type::boolean: {
      bool flag = false;
      SIMDJSON_TRY(doc.get_bool().get(flag));
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      SIMDJSON_TRY(doc.is_null().get(is_null));
      if (!is_null) return simdjson::TAPE_ERROR;
      break;
    }
    case od::json_type::object:
      break;
  }
  return at_end(doc) ? SUCCESS : simdjson::TAPE_ERROR;
}

std::string malformed(error_code e) {
  return fmt::format("malformed JSON: {}", simdjson::error_message(e));
}

}  // namespace json
}  // namespace vigil::domain
