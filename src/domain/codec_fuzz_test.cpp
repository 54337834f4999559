// Fuzz-style robustness test: thousands of deterministic mutations of valid bodies must never crash
// the parsers (run it under ASan+UBSan), must always come back with a status, and whatever they
// accept must survive the durable-log encoding unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "domain/codec.h"
#include "domain/test_support.h"

namespace vigil::domain {
namespace {

const std::vector<std::string> kObservationSeeds = {
    R"({"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","patient_id":"P-0001","device_id":"watch-17","code":"8867-4","value":72.5,"unit":"/min","effective_time":"2026-11-22T08:00:03.120Z"})",
    R"({"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","patient_id":"P-0002","code":"85354-9","components":[{"code":"8480-6","value":142,"unit":"mm[Hg]"},{"code":"8462-4","value":91,"unit":"mm[Hg]"}],"effective_time":"2026-11-22T09:00:03+01:00"})",
    R"({"observations":[{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","patient_id":"P-1","code":"8310-5","value":98.6,"unit":"[degF]","effective_time":"2026-11-22T08:00:00Z"},{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3302","patient_id":"P-1","code":"2708-6","value":97,"unit":"%","effective_time":"2026-11-22T08:00:00Z"}]})",
    R"({"id":"x","patient_id":"P\u00e9\n","code":"72514-3","value":-1.5e-3,"unit":null,"device_id":null,"effective_time":"2026-11-22T08:00:00.5-05:30"})",
};

const std::vector<std::string> kQuestionnaireSeeds = {
    R"({"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","patient_id":"P-0001","questionnaire":"daily","version":"3","authored":"2026-11-22T07:55:00Z","answers":{"pain":7,"confused":true,"nausea":"mild"}})",
    R"({"id":"a","patient_id":"b","questionnaire":"c","version":"d","authored":"2026-01-01T00:00:00Z","answers":{"x\"y":1e10,"z":false,"w":"\ud83d\ude00"}})",
};

// Structural characters and fragments that tend to reach interesting parser states.
const std::vector<std::string> kFragments = {"{",
                                             "}",
                                             "[",
                                             "]",
                                             ",",
                                             ":",
                                             "\"",
                                             "\\",
                                             "\\u",
                                             "null",
                                             "true",
                                             "-",
                                             "1e999",
                                             "0",
                                             "\xff",
                                             "\xc3",
                                             " ",
                                             "\"observations\":",
                                             "\"value\":",
                                             "\"answers\":{",
                                             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["};

std::string mutate(std::string s, std::mt19937& rng) {
  const int edits = std::uniform_int_distribution<int>(1, 6)(rng);
  for (int i = 0; i < edits; ++i) {
    const std::size_t pos = s.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, s.size())(rng);
    switch (std::uniform_int_distribution<int>(0, 6)(rng)) {
      case 0:  // flip a byte
        if (pos < s.size()) s[pos] = static_cast<char>(rng());
        break;
      case 1:  // delete a run
        if (pos < s.size()) s.erase(pos, std::uniform_int_distribution<std::size_t>(1, 16)(rng));
        break;
      case 2:  // insert a fragment
        s.insert(pos, kFragments[rng() % kFragments.size()]);
        break;
      case 3:  // truncate
        s.resize(pos);
        break;
      case 4: {  // duplicate a slice (repeats fields, nests values)
        if (s.empty()) break;
        const std::size_t from = rng() % s.size();
        const std::size_t len = std::min<std::size_t>(rng() % 64, s.size() - from);
        s.insert(pos, s.substr(from, len));
        break;
      }
      case 5:  // random bytes
        for (int k = 0; k < 4; ++k)
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<char>(rng()));
        break;
      default:  // swap a digit for another, keeping the JSON valid more often
        if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') s[pos] = static_cast<char>('0' + rng() % 10);
        break;
    }
  }
  return s;
}

bool known(ParseStatus s) {
  return s == ParseStatus::ok || s == ParseStatus::malformed_json || s == ParseStatus::too_many ||
         s == ParseStatus::wrong_shape;
}

TEST(CodecFuzz, MutatedObservationBodies) {
  std::mt19937 rng(20261122);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string body = mutate(kObservationSeeds[i % kObservationSeeds.size()], rng);
    const auto parsed = parse_observations(body, 8);
    ASSERT_TRUE(known(parsed.status)) << body;
    if (parsed.status != ParseStatus::ok) {
      EXPECT_FALSE(parsed.message.empty()) << body;
      EXPECT_TRUE(parsed.items.empty()) << body;
      continue;
    }
    EXPECT_FALSE(parsed.items.empty()) << body;
    for (const auto& item : parsed.items) {
      if (!item.ok()) continue;
      ++accepted;
      const auto back = decode_observation(encode(item.observation));
      ASSERT_TRUE(back.has_value()) << body << "\n" << encode(item.observation);
      EXPECT_TRUE(testing::same(item.observation, *back)) << body;
    }
  }
  EXPECT_GT(accepted, 100);  // the mutations must not all be rejected, or the round trip goes untested
}

TEST(CodecFuzz, MutatedQuestionnaireBodies) {
  std::mt19937 rng(7);
  int accepted = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string body = mutate(kQuestionnaireSeeds[i % kQuestionnaireSeeds.size()], rng);
    const auto parsed = parse_questionnaire_response(body);
    ASSERT_TRUE(known(parsed.status)) << body;
    if (parsed.status != ParseStatus::ok) {
      EXPECT_FALSE(parsed.message.empty()) << body;
    }
    if (!parsed.ok()) continue;
    ++accepted;
    const auto back = decode_questionnaire_response(encode(parsed.response));
    ASSERT_TRUE(back.has_value()) << body << "\n" << encode(parsed.response);
    EXPECT_TRUE(testing::same(parsed.response, *back)) << body;
  }
  EXPECT_GT(accepted, 100);
}

TEST(CodecFuzz, RandomBytes) {
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    std::string body(rng() % 200, '\0');
    for (auto& c : body) c = static_cast<char>(rng());
    EXPECT_TRUE(known(parse_observations(body).status));
    EXPECT_TRUE(known(parse_questionnaire_response(body).status));
  }
}

TEST(CodecFuzz, DeepNestingIsRefusedNotRecursedInto) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(parse_observations(R"({"x":)" + deep + "}").status, ParseStatus::malformed_json);
  const auto root = parse_observations(deep);
  EXPECT_EQ(root.status, ParseStatus::malformed_json);
  EXPECT_THAT(root.message, ::testing::HasSubstr("too deep"));
  const std::string shallow = std::string(20, '[') + std::string(20, ']');
  const auto parsed = parse_observations(R"({"x":)" + shallow + "}");
  ASSERT_EQ(parsed.status, ParseStatus::ok);
  EXPECT_EQ(parsed.items[0].errors[0].path, "x");
}

}  // namespace
}  // namespace vigil::domain
