#include "domain/codec.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "domain/test_support.h"
#include "domain/validate.h"

namespace vigil::domain {
namespace {

using testing::at;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::paths;
using testing::same;

constexpr std::string_view kHeartRate =
    R"({"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","patient_id":"P-0001","device_id":"watch-17",)"
    R"("code":"8867-4","value":72.5,"unit":"/min","effective_time":"2026-11-22T08:00:03.120Z"})";

constexpr std::string_view kBloodPressure =
    R"({"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","patient_id":"P-0002","code":"85354-9",)"
    R"("components":[{"code":"8480-6","value":142,"unit":"mm[Hg]"},{"code":"8462-4","value":91,"unit":"mm[Hg]"}],)"
    R"("effective_time":"2026-11-22T09:00:03+01:00"})";

// Parses a single observation body and returns the item's errors (the body must be well-formed).
std::vector<FieldError> item_errors(std::string_view body) {
  auto parsed = parse_observations(body);
  EXPECT_EQ(parsed.status, ParseStatus::ok) << parsed.message << "\n" << body;
  if (parsed.items.size() != 1) {
    ADD_FAILURE() << "expected one item";
    return {};
  }
  return parsed.items[0].errors;
}

// kHeartRate with `field` replaced by `replacement` (a "key":value pair, or "" to drop it).
std::string heart_rate_with(std::string_view field, std::string_view replacement) {
  std::string body(kHeartRate);
  const auto start = body.find(fmt::format("\"{}\":", field));
  EXPECT_NE(start, std::string::npos) << field;
  auto end = body.find_first_of(",}", start);
  if (body[end] == ',' && replacement.empty()) ++end;  // drop the comma too
  body.replace(start, end - start, replacement);
  if (body.ends_with(",}")) body.erase(body.size() - 2, 1);
  return body;
}

TEST(ParseObservations, ReadsASingleObservation) {
  auto parsed = parse_observations(kHeartRate);
  ASSERT_EQ(parsed.status, ParseStatus::ok) << parsed.message;
  EXPECT_FALSE(parsed.batch);
  ASSERT_EQ(parsed.items.size(), 1U);
  ASSERT_TRUE(parsed.items[0].ok());
  const Observation& obs = parsed.items[0].observation;
  EXPECT_EQ(obs.id, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  EXPECT_EQ(obs.patient_id, "P-0001");
  EXPECT_EQ(obs.device_id, "watch-17");
  EXPECT_EQ(obs.code, "8867-4");
  EXPECT_EQ(obs.value, 72.5);
  EXPECT_EQ(obs.unit, "/min");
  EXPECT_TRUE(obs.components.empty());
  EXPECT_EQ(obs.effective_time, at("2026-11-22T08:00:03.120Z"));
}

TEST(ParseObservations, ReadsAPanelWithComponents) {
  auto parsed = parse_observations(kBloodPressure);
  ASSERT_EQ(parsed.status, ParseStatus::ok) << parsed.message;
  ASSERT_TRUE(parsed.items[0].ok());
  const Observation& obs = parsed.items[0].observation;
  EXPECT_FALSE(obs.value.has_value());
  EXPECT_TRUE(obs.unit.empty());
  EXPECT_TRUE(obs.device_id.empty());
  ASSERT_EQ(obs.components.size(), 2U);
  EXPECT_EQ(obs.components[0].code, "8480-6");
  EXPECT_EQ(obs.components[0].value, 142);
  EXPECT_EQ(obs.components[1].code, "8462-4");
  EXPECT_EQ(obs.components[1].unit, "mm[Hg]");
  EXPECT_EQ(obs.effective_time, at("2026-11-22T08:00:03Z"));
}

TEST(ParseObservations, ReadsABatchInOrderWithIndependentItems) {
  const std::string body = fmt::format(R"({{"observations":[{},{},{}]}})", kHeartRate, kBloodPressure,
                                       heart_rate_with("value", R"("value":"high")"));
  auto parsed = parse_observations(body);
  ASSERT_EQ(parsed.status, ParseStatus::ok) << parsed.message;
  EXPECT_TRUE(parsed.batch);
  ASSERT_EQ(parsed.items.size(), 3U);
  EXPECT_TRUE(parsed.items[0].ok());
  EXPECT_EQ(parsed.items[0].observation.code, "8867-4");
  EXPECT_TRUE(parsed.items[1].ok());
  EXPECT_EQ(parsed.items[1].observation.code, "85354-9");
  EXPECT_THAT(paths(parsed.items[2].errors), ElementsAre("value"));
  EXPECT_EQ(parsed.items[2].observation.id, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");  // for the error report
}

std::string batch_of(std::size_t n) {
  std::string body = R"({"observations":[)";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) body += ',';
    body += kHeartRate;
  }
  return body + "]}";
}

TEST(ParseObservations, BatchSizeLimit) {
  auto full = parse_observations(batch_of(1000));
  EXPECT_EQ(full.status, ParseStatus::ok);
  EXPECT_EQ(full.items.size(), 1000U);
  auto over = parse_observations(batch_of(1001));
  EXPECT_EQ(over.status, ParseStatus::too_many);
  EXPECT_THAT(over.message, HasSubstr("at most 1000 observations, not 1001"));
  EXPECT_TRUE(over.items.empty());
  EXPECT_EQ(parse_observations(batch_of(3), 2).status, ParseStatus::too_many);
  EXPECT_EQ(parse_observations(batch_of(2), 2).status, ParseStatus::ok);
}

TEST(ParseObservations, MalformedJson) {
  for (const std::string_view body : {"",
                                      " ",
                                      "{",
                                      "}",
                                      "nope",
                                      R"({"id":})",
                                      R"({"id":"x")",
                                      R"({"id":"x"} trailing)",
                                      R"({"id":"x"}})",
                                      R"({"id" "x"})",
                                      R"({"id":"x",})",
                                      R"({"value":01})",
                                      R"({"id":"\q"})",
                                      R"({"id":"unterminated})",
                                      R"({"observations":[{"id":"x"},]})",
                                      R"({"observations":[)",
                                      R"({"id":tru})",
                                      "{\"id\":\"\xff\"}",
                                      R"({"value":nul})",
                                      R"({"observations":[{}] )"
                                      R"(, "x")"}) {
    auto parsed = parse_observations(body);
    EXPECT_EQ(parsed.status, ParseStatus::malformed_json) << body;
    EXPECT_THAT(parsed.message, HasSubstr("malformed JSON")) << body;
    EXPECT_TRUE(parsed.items.empty());
  }
}

TEST(ParseObservations, WrongShape) {
  for (const std::string_view body :
       {"[]", "[{}]", "42", R"("text")", "null", "true", R"({"observations":{}})", R"({"observations":[]})",
        R"({"observations":null})", R"({"observations":[],"id":"x"})",
        R"({"observations":[{"id":"x"}],"observations":[{"id":"y"}]})"}) {
    auto parsed = parse_observations(body);
    EXPECT_EQ(parsed.status, ParseStatus::wrong_shape) << body;
    EXPECT_FALSE(parsed.message.empty());
    EXPECT_TRUE(parsed.items.empty());
  }
}

TEST(ParseObservations, MissingRequiredFields) {
  EXPECT_THAT(paths(item_errors("{}")), ElementsAre("id", "patient_id", "code", "effective_time"));
  for (const char* field : {"id", "patient_id", "code", "effective_time"}) {
    const auto errors = item_errors(heart_rate_with(field, ""));
    ASSERT_EQ(errors.size(), 1U) << field;
    EXPECT_EQ(errors[0].path, field);
    EXPECT_EQ(errors[0].message, "required");
  }
  // Optional at the parsing stage (validate() decides whether the code needs them).
  for (const char* field : {"device_id", "value", "unit"}) {
    EXPECT_THAT(item_errors(heart_rate_with(field, "")), IsEmpty()) << field;
  }
}

TEST(ParseObservations, NullMeansAbsentForOptionalFields) {
  auto parsed = parse_observations(heart_rate_with("device_id", R"("device_id":null)"));
  ASSERT_TRUE(parsed.items[0].ok());
  EXPECT_TRUE(parsed.items[0].observation.device_id.empty());
  parsed = parse_observations(heart_rate_with("value", R"("value":null,"components":null)"));
  ASSERT_TRUE(parsed.items[0].ok());
  EXPECT_FALSE(parsed.items[0].observation.value.has_value());
  EXPECT_THAT(paths(item_errors(heart_rate_with("id", R"("id":null)"))), ElementsAre("id"));
}

TEST(ParseObservations, WrongTypes) {
  const std::pair<const char*, const char*> cases[] = {
      {"id", R"("id":42)"},
      {"patient_id", R"("patient_id":["P"])"},
      {"device_id", R"("device_id":7)"},
      {"code", R"("code":8867)"},
      {"value", R"("value":"72")"},
      {"value", R"("value":true)"},
      {"unit", R"("unit":{})"},
      {"effective_time", R"("effective_time":1700000000)"},
  };
  for (const auto& [field, pair] : cases) {
    const auto errors = item_errors(heart_rate_with(field, pair));
    ASSERT_EQ(errors.size(), 1U) << pair;
    EXPECT_EQ(errors[0].path, field);
    EXPECT_THAT(errors[0].message, HasSubstr("must be")) << pair;
  }
  const auto value = item_errors(heart_rate_with("value", R"("value":"72")"));
  EXPECT_EQ(value[0].message, "must be a number");
}

TEST(ParseObservations, ComponentErrorsCarryTheirIndex) {
  const auto with_components = [](std::string_view components) {
    return heart_rate_with("value", fmt::format(R"("components":{})", components));
  };
  EXPECT_THAT(paths(item_errors(with_components(R"({"code":"8480-6"})"))), ElementsAre("components"));
  EXPECT_THAT(paths(item_errors(with_components(R"([{"code":"8480-6","value":1,"unit":"mm[Hg]"},7])"))),
              ElementsAre("components[1]"));
  EXPECT_THAT(paths(item_errors(
                  with_components(R"([{"code":"8480-6","value":1,"unit":"mm[Hg]"},{"code":"8462-4"}])"))),
              ElementsAre("components[1].value", "components[1].unit"));
  EXPECT_THAT(paths(item_errors(with_components(R"([{"code":1,"value":"1","unit":"mm[Hg]","x":0}])"))),
              ElementsAre("components[0].code", "components[0].value", "components[0].x"));
  const auto errors =
      item_errors(with_components(R"([{"code":"8480-6","value":1,"unit":"mm[Hg]","extra":1}])"));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].path, "components[0].extra");
  EXPECT_EQ(errors[0].message, "unknown field");
  std::string nine = "[";
  for (int i = 0; i < 9; ++i)
    nine += std::string(i > 0 ? "," : "") + R"({"code":"8480-6","value":1,"unit":"u"})";
  EXPECT_THAT(paths(item_errors(with_components(nine + "]"))), ElementsAre("components"));
}

TEST(ParseObservations, UnknownAndDuplicateFields) {
  auto errors = item_errors(heart_rate_with("unit", R"("unit":"/min","status":"final")"));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].path, "status");
  EXPECT_EQ(errors[0].message, "unknown field");
  errors = item_errors(heart_rate_with("unit", R"("unit":"/min","value":80)"));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].path, "value");
  EXPECT_EQ(errors[0].message, "duplicate field");
  // Escaped keys are compared after unescaping.
  errors = item_errors(heart_rate_with("unit", R"("\u0075nit":"/min")"));
  EXPECT_THAT(errors, IsEmpty());
}

TEST(ParseObservations, StringLengthLimit) {
  const std::string at_limit(kMaxStringLength, 'p');
  EXPECT_THAT(item_errors(heart_rate_with("patient_id", fmt::format(R"("patient_id":"{}")", at_limit))),
              IsEmpty());
  const auto errors =
      item_errors(heart_rate_with("patient_id", fmt::format(R"("patient_id":"{}p")", at_limit)));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].path, "patient_id");
  EXPECT_EQ(errors[0].message, "must be at most 256 characters");
}

TEST(ParseObservations, TimestampsAndNumbers) {
  auto errors = item_errors(heart_rate_with("effective_time", R"("effective_time":"2026-11-22 08:00:03")"));
  EXPECT_THAT(paths(errors), ElementsAre("effective_time"));
  errors = item_errors(heart_rate_with("effective_time", R"("effective_time":"2026-02-30T08:00:00Z")"));
  EXPECT_THAT(paths(errors), ElementsAre("effective_time"));
  errors = item_errors(heart_rate_with("value", R"("value":1e999)"));
  ASSERT_THAT(paths(errors), ElementsAre("value"));
  EXPECT_EQ(errors[0].message, "is not a representable number");
  auto parsed = parse_observations(heart_rate_with("value", R"("value":-7.25e1)"));
  EXPECT_EQ(parsed.items[0].observation.value, -72.5);
  parsed = parse_observations(heart_rate_with("value", R"("value":72)"));
  EXPECT_EQ(parsed.items[0].observation.value, 72.0);
}

TEST(ParseObservations, BatchElementsMustBeObjects) {
  auto parsed = parse_observations(fmt::format(R"({{"observations":[{},"x",null]}})", kHeartRate));
  ASSERT_EQ(parsed.status, ParseStatus::ok);
  ASSERT_EQ(parsed.items.size(), 3U);
  EXPECT_TRUE(parsed.items[0].ok());
  EXPECT_EQ(parsed.items[1].errors, (std::vector<FieldError>{{"", "must be an object"}}));
  EXPECT_EQ(parsed.items[2].errors, (std::vector<FieldError>{{"", "must be an object"}}));
}

TEST(ParseObservations, PaddedInputIsParsedInPlaceOrCopiedWhenShort) {
  std::string body(kHeartRate);
  body.reserve(body.size() + kJsonPadding);
  auto parsed = parse_observations(PaddedInput{body.data(), body.size(), body.capacity()});
  ASSERT_EQ(parsed.status, ParseStatus::ok);
  EXPECT_TRUE(parsed.items[0].ok());
  std::string tight(kHeartRate);
  tight.shrink_to_fit();
  parsed = parse_observations(PaddedInput{tight.data(), tight.size(), tight.size()});
  ASSERT_EQ(parsed.status, ParseStatus::ok);
  EXPECT_TRUE(parsed.items[0].ok());
}

TEST(ParseObservations, ParsedThenValidatedEndToEnd) {
  auto parsed = parse_observations(kBloodPressure);
  ASSERT_TRUE(parsed.items[0].ok());
  EXPECT_THAT(validate(parsed.items[0].observation, at("2026-11-22T08:01:00Z")), IsEmpty());
}

constexpr std::string_view kResponse =
    R"({"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","patient_id":"P-0001","questionnaire":"daily-symptoms",)"
    R"("version":"3","authored":"2026-11-22T07:55:00Z","answers":{"pain":7,"confused":true,"nausea":"mild"}})";

TEST(ParseQuestionnaire, ReadsAResponse) {
  auto parsed = parse_questionnaire_response(kResponse);
  ASSERT_TRUE(parsed.ok()) << parsed.message;
  const auto& r = parsed.response;
  EXPECT_EQ(r.id, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  EXPECT_EQ(r.patient_id, "P-0001");
  EXPECT_EQ(r.questionnaire_id, "daily-symptoms");
  EXPECT_EQ(r.questionnaire_version, "3");
  EXPECT_EQ(r.authored, at("2026-11-22T07:55:00Z"));
  ASSERT_EQ(r.answers.size(), 3U);
  EXPECT_EQ(r.answers[0].item_id, "pain");
  EXPECT_EQ(r.answers[0].value, AnswerValue(7.0));
  EXPECT_EQ(r.answers[1].value, AnswerValue(true));
  EXPECT_EQ(r.answers[2].value, AnswerValue(std::string("mild")));
}

TEST(ParseQuestionnaire, KeepsDuplicateAnswersForValidationToReport) {
  auto parsed = parse_questionnaire_response(
      R"({"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","patient_id":"P-0001","questionnaire":"q","version":"1",)"
      R"("authored":"2026-11-22T07:55:00Z","answers":{"pain":2,"pain":9}})");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed.response.answers.size(), 2U);
  QuestionnaireDefinition def;
  def.id = "q";
  def.version = "1";
  def.items.emplace_back().id = "pain";
  def.items.back().max = 10;
  const auto errors = validate(parsed.response, def, at("2026-11-22T08:00:00Z"));
  EXPECT_EQ(errors, (std::vector<FieldError>{{"answers.pain", "duplicate answer"}}));
}

TEST(ParseQuestionnaire, FieldErrors) {
  auto parsed = parse_questionnaire_response(R"({"answers":{}})");
  EXPECT_EQ(parsed.status, ParseStatus::ok);
  EXPECT_THAT(paths(parsed.errors), ElementsAre("id", "patient_id", "questionnaire", "version", "authored"));

  parsed = parse_questionnaire_response(
      R"({"id":1,"patient_id":"P","questionnaire":"q","version":3,"authored":"yesterday","answers":[],"extra":0})");
  EXPECT_THAT(paths(parsed.errors), ElementsAre("id", "version", "authored", "answers", "extra"));

  parsed = parse_questionnaire_response(
      R"({"id":"i","patient_id":"P","questionnaire":"q","version":"3","authored":"2026-11-22T07:55:00Z",)"
      R"("answers":{"a":null,"b":[1],"c":{"x":1},"d":1e999,"e":4}})");
  EXPECT_EQ(parsed.status, ParseStatus::ok);
  EXPECT_THAT(paths(parsed.errors), ElementsAre("answers.a", "answers.b", "answers.c", "answers.d"));
  EXPECT_EQ(parsed.errors[0].message, "must be a number, a boolean or a string");
  ASSERT_EQ(parsed.response.answers.size(), 1U);
  EXPECT_EQ(parsed.response.answers[0].item_id, "e");
  EXPECT_FALSE(parsed.ok());
}

TEST(ParseQuestionnaire, MalformedAndWrongShape) {
  EXPECT_EQ(parse_questionnaire_response("").status, ParseStatus::malformed_json);
  EXPECT_EQ(parse_questionnaire_response(R"({"answers":{"a":1})").status, ParseStatus::malformed_json);
  EXPECT_EQ(parse_questionnaire_response(R"({"answers":{}} {})").status, ParseStatus::malformed_json);
  EXPECT_EQ(parse_questionnaire_response("[]").status, ParseStatus::wrong_shape);
  EXPECT_EQ(parse_questionnaire_response("3").status, ParseStatus::wrong_shape);
  EXPECT_EQ(to_string(ParseStatus::too_many), "too_many");
}

Observation full_observation() {
  Observation obs;
  obs.id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
  obs.patient_id = "P-0001";
  obs.device_id = "watch-17";
  obs.code = "8310-5";
  obs.value = 37.0 + 1.0 / 3.0;
  obs.unit = "Cel";
  obs.effective_time = at("2026-11-22T08:00:03.120Z");
  return obs;
}

TEST(Encoding, RoundTripsObservationsExactly) {
  std::vector<Observation> cases;
  cases.push_back(full_observation());
  auto no_device = full_observation();
  no_device.device_id.clear();
  no_device.value = 0.1;
  cases.push_back(no_device);
  auto panel = full_observation();
  panel.code = "85354-9";
  panel.value.reset();
  panel.unit.clear();
  panel.components = {{"8480-6", 142.25, "mm[Hg]"}, {"8462-4", 91, "mm[Hg]"}};
  cases.push_back(panel);
  for (const double v : {5e-324, 1.7976931348623157e308, 123456.789, -0.0, 98.6, 1e21, 0.30000000000000004}) {
    auto o = full_observation();
    o.value = v;
    cases.push_back(o);
  }
  auto odd = full_observation();
  odd.patient_id = "quote\" backslash\\ tab\t nl\n ctl\x01 caf\xc3\xa9 \xf0\x9f\x98\x80";
  odd.effective_time = at("0001-01-01T00:00:00.001Z");
  cases.push_back(odd);
  for (const auto& obs : cases) {
    const std::string bytes = encode(obs);
    const auto back = decode_observation(bytes);
    ASSERT_TRUE(back.has_value()) << bytes;
    EXPECT_TRUE(same(obs, *back)) << bytes;
    EXPECT_EQ(encode(*back), bytes);  // canonical: one encoding per value
  }
}

TEST(Encoding, IsCompactJsonInTheIntakeFormat) {
  auto obs = full_observation();
  obs.value = 37.5;
  EXPECT_EQ(encode(obs),
            R"({"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","patient_id":"P-0001","device_id":"watch-17",)"
            R"("code":"8310-5","value":37.5,"unit":"Cel","effective_time":"2026-11-22T08:00:03.120Z"})");
  std::string out;
  write_json_string("a\"b\\c\x1f", out);
  EXPECT_EQ(out, R"("a\"b\\c\u001f")");
  // Escapes at either end, back to back, and none; UTF-8 passes through as it is.
  const auto escaped = [](std::string_view text) {
    std::string s;
    write_json_string(text, s);
    return s;
  };
  EXPECT_EQ(escaped(""), R"("")");
  EXPECT_EQ(escaped("DEMO-S01-0007"), R"("DEMO-S01-0007")");
  EXPECT_EQ(escaped("\n\"\t\r\x01"), R"("\n\"\t\r\u0001")");
  EXPECT_EQ(escaped("\\x\\"), R"("\\x\\")");
  EXPECT_EQ(escaped("Fièvre \xe2\x89\xa5 38 \"C\""), "\"Fièvre \xe2\x89\xa5 38 \\\"C\\\"\"");
  obs.value = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(encode(obs), HasSubstr(R"("value":null)"));
}

TEST(Encoding, RoundTripsQuestionnaireResponsesExactly) {
  QuestionnaireResponse r;
  r.id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  r.patient_id = "P-0001";
  r.questionnaire_id = "daily-symptoms";
  r.questionnaire_version = "3.1";
  r.authored = at("2026-11-22T07:55:00.999Z");
  r.answers = {{"pain", 7.0}, {"confused", true}, {"nausea", std::string("mild")},
               {"x\"y", 0.1}, {"flag", false},    {"empty", std::string()}};
  const std::string bytes = encode(r);
  const auto back = decode_questionnaire_response(bytes);
  ASSERT_TRUE(back.has_value()) << bytes;
  EXPECT_TRUE(same(r, *back)) << bytes;
  EXPECT_EQ(encode(*back), bytes);
  r.answers.clear();
  const auto empty = decode_questionnaire_response(encode(r));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(same(r, *empty));
}

TEST(Encoding, DecodeRefusesAnythingTheParserWould) {
  EXPECT_FALSE(decode_observation("").has_value());
  EXPECT_FALSE(decode_observation("{}").has_value());
  EXPECT_FALSE(decode_observation(batch_of(1)).has_value());
  EXPECT_FALSE(decode_observation(heart_rate_with("value", R"("value":"x")")).has_value());
  EXPECT_TRUE(decode_observation(kHeartRate).has_value());
  EXPECT_FALSE(decode_questionnaire_response(R"({"answers":{}})").has_value());
  EXPECT_TRUE(decode_questionnaire_response(kResponse).has_value());
}

}  // namespace
}  // namespace vigil::domain
