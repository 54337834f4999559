#pragma once
// Internal to the domain module: the simdjson On-Demand reading helpers shared by the observation
// and questionnaire parsers (codec_observations.cpp, codec_questionnaire.cpp). Not part of the
// module's interface; include only from those files.
//
// Every helper returns a simdjson error_code: SUCCESS (field errors, if any, recorded in a Sink) or
// a structural error that makes the whole body malformed. On-Demand validates a value only when it
// is read, so a value that is refused rather than read goes through skip_checked(): otherwise
// `{"status": tru}` would pass as well-formed.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/codec.h"
#include "domain/field_error.h"

namespace vigil::domain::json {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// One parser and one padding buffer per thread, reused so that a warm thread does not allocate.
struct ThreadState {
  od::parser parser;
  std::string buffer;  // padded copy of inputs that arrive without padding
};

ThreadState& thread_state();
// A view simdjson may read kJsonPadding bytes past: the input itself when its capacity allows,
// else a copy in `buffer`.
simdjson::padded_string_view padded(PaddedInput input, std::string& buffer);
PaddedInput unpadded(std::string_view body);

// Where field errors go, and where the object being read sits: paths come out as "value" (no
// parent), "components[2].value" (parent and index) or "answers.pain" (parent, no index). Paths are
// only built when an error is recorded, keeping the error-free path free of allocations.
struct Sink {
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  std::vector<FieldError>& errors;
  std::string_view parent;  // "", "components" or "answers"
  std::size_t index = kNoIndex;

  void add(std::string_view name, std::string message) const;
};

// Tracks which fields of an object were seen, to report duplicates and missing required ones.
class Seen {
 public:
  // False when the field was already seen.
  bool first(unsigned bit) {
    if ((mask_ & (1U << bit)) != 0) return false;
    mask_ |= 1U << bit;
    return true;
  }
  void require(unsigned bit, const Sink& sink, std::string_view name) const {
    if ((mask_ & (1U << bit)) == 0) sink.add(name, "required");
  }

 private:
  std::uint32_t mask_ = 0;
};

// Consumes a null the type says is there; a token like "nul" is malformed JSON.
error_code read_null(od::value& v);
// True when `token` follows the JSON number grammar (trailing whitespace allowed).
bool is_json_number(std::string_view token);
// Reads a number. SUCCESS with `representable` false for valid JSON no double holds (1e999).
error_code get_number(od::value& v, double& out, bool& representable);
// Reads and discards a value, so that malformed JSON inside it is still reported as such.
error_code skip_checked(od::value& v, int depth = 0);
// Records a field error for a value that will not be read, and skips it.
error_code reject(od::value& v, const Sink& sink, std::string_view name, std::string message);
// A key cut to kMaxStringLength, for error paths.
std::string_view shorten(std::string_view key);
// Typed field readers: a wrong JSON type or an over-long string is a field error. When `nullable`,
// JSON null leaves `out` untouched (and `present` false).
error_code read_string(od::value& v, const Sink& sink, std::string_view name, std::string& out,
                       bool nullable);
error_code read_number(od::value& v, const Sink& sink, std::string_view name, double& out, bool nullable,
                       bool& present);
error_code read_time(od::value& v, const Sink& sink, std::string_view name, TimePoint& out);

// After the root value: true when nothing but whitespace follows.
bool at_end(od::document& doc);
// Validates a root that is not an object, so that "nope" is malformed while "[]" is the wrong shape.
error_code check_root(od::document& doc, od::json_type type);
std::string malformed(error_code e);

template <typename Result>
Result fail(ParseStatus status, std::string_view message) {
  Result r;
  r.status = status;
  r.message.assign(message);
  return r;
}

}  // namespace vigil::domain::json
