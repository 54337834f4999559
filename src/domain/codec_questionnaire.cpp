// The questionnaire-response intake parser of codec.h.
#include <fmt/format.h>

#include <utility>

#include "domain/codec.h"
#include "domain/json_read.h"

namespace vigil::domain {

using namespace json;  // the readers of json_read.h, written for this file and its sibling

namespace {

enum QuestionnaireField : unsigned {
  kQId,
  kQPatient,
  kQQuestionnaire,
  kQVersion,
  kQAuthored,
  kQAnswers,
  kQUnknown
};

QuestionnaireField questionnaire_field(std::string_view key) {
  constexpr std::pair<std::string_view, QuestionnaireField> kNames[] = {
      {"id", kQId},           {"patient_id", kQPatient}, {"questionnaire", kQQuestionnaire},
      {"version", kQVersion}, {"authored", kQAuthored},  {"answers", kQAnswers}};
  for (const auto& [name, field] : kNames) {
    if (name == key) return field;
  }
  return kQUnknown;
}

error_code read_answers(od::value& v, ParsedQuestionnaire& out) {
  const Sink top{out.errors, ""};
  const Sink item{out.errors, "answers"};
  od::json_type type{};
  SIMDJSON_TRY(v.type().get(type));
  if (type != od::json_type::object)
    return reject(v, top, "answers", "must be an object of item id to answer");
  od::object object;
  SIMDJSON_TRY(v.get_object().get(object));
  std::size_t count = 0;
  SIMDJSON_TRY(object.count_fields().get(count));
  if (count > kMaxAnswers) top.add("answers", fmt::format("must hold at most {} answers", kMaxAnswers));
  auto& answers = out.response.answers;
  answers.reserve(count);
  for (auto field_result : object) {
    od::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    SIMDJSON_TRY(field.unescaped_key().get(key));
    od::value& answer = field.value();
    if (count > kMaxAnswers) {
      SIMDJSON_TRY(skip_checked(answer));
      continue;
    }
    if (key.size() > kMaxStringLength) {
      SIMDJSON_TRY(reject(answer, top, "answers",
                          fmt::format("item ids must be at most {} characters", kMaxStringLength)));
      continue;
    }
    SIMDJSON_TRY(answer.type().get(type));
    if (type == od::json_type::number) {
      double number = 0;
      bool present = false;
      SIMDJSON_TRY(read_number(answer, item, key, number, false, present));
      if (present) answers.push_back({std::string(key), number});
    } else if (type == od::json_type::boolean) {
      bool flag = false;
      SIMDJSON_TRY(answer.get_bool().get(flag));
      answers.push_back({std::string(key), flag});
    } else if (type == od::json_type::string) {
      std::string text;
      const std::size_t before = out.errors.size();
      SIMDJSON_TRY(read_string(answer, item, key, text, false));
      if (out.errors.size() == before) answers.push_back({std::string(key), std::move(text)});
    } else {
      SIMDJSON_TRY(reject(answer, item, key, "must be a number, a boolean or a string"));
    }
  }
  return SUCCESS;
}

error_code read_questionnaire_root(od::document& doc, ParsedQuestionnaire& out) {
  od::json_type type{};
  SIMDJSON_TRY(doc.type().get(type));
  if (type != od::json_type::object) {
    SIMDJSON_TRY(check_root(doc, type));
    out = fail<ParsedQuestionnaire>(ParseStatus::wrong_shape, "expected a JSON object");
    return SUCCESS;
  }
  od::object root;
  SIMDJSON_TRY(doc.get_object().get(root));
  const Sink sink{out.errors, ""};
  QuestionnaireResponse& r = out.response;
  Seen seen;
  for (auto field_result : root) {
    od::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    SIMDJSON_TRY(field.unescaped_key().get(key));
    od::value& v = field.value();
    const QuestionnaireField which = questionnaire_field(key);
    if (which == kQUnknown) {
      SIMDJSON_TRY(reject(v, sink, shorten(key), "unknown field"));
      continue;
    }
    if (!seen.first(which)) {
      SIMDJSON_TRY(reject(v, sink, key, "duplicate field"));
      continue;
    }
    switch (which) {
      case kQId:
        SIMDJSON_TRY(read_string(v, sink, key, r.id, false));
        break;
      case kQPatient:
        SIMDJSON_TRY(read_string(v, sink, key, r.patient_id, false));
        break;
      case kQQuestionnaire:
        SIMDJSON_TRY(read_string(v, sink, key, r.questionnaire_id, false));
        break;
      case kQVersion:
        SIMDJSON_TRY(read_string(v, sink, key, r.questionnaire_version, false));
        break;
      case kQAuthored:
        SIMDJSON_TRY(read_time(v, sink, key, r.authored));
        break;
      case kQAnswers:
        SIMDJSON_TRY(read_answers(v, out));
        break;
      case kQUnknown:
        break;
    }
  }
  if (!at_end(doc)) return simdjson::TAPE_ERROR;
  seen.require(kQId, sink, "id");
  seen.require(kQPatient, sink, "patient_id");
  seen.require(kQQuestionnaire, sink, "questionnaire");
  seen.require(kQVersion, sink, "version");
  seen.require(kQAuthored, sink, "authored");
  seen.require(kQAnswers, sink, "answers");
  return SUCCESS;
}

}  // namespace

ParsedQuestionnaire parse_questionnaire_response(PaddedInput input) {
  auto& state = thread_state();
  od::document doc;
  error_code e = state.parser.iterate(padded(input, state.buffer)).get(doc);
  ParsedQuestionnaire out;
  if (e == SUCCESS) e = read_questionnaire_root(doc, out);
  if (e != SUCCESS) return fail<ParsedQuestionnaire>(ParseStatus::malformed_json, malformed(e));
  return out;
}

ParsedQuestionnaire parse_questionnaire_response(std::string_view body) {
  return parse_questionnaire_response(unpadded(body));
}

}  // namespace vigil::domain
