#include "domain/loinc.h"

#include <gtest/gtest.h>

#include <set>

namespace vigil::domain {
namespace {

const CodeInfo& info(std::string_view code) {
  const CodeInfo* found = find_code(code);
  EXPECT_NE(found, nullptr) << code;
  return *found;
}

TEST(Loinc, EveryClinicalCodeIsSupportedWithItsCanonicalUnit) {
  const std::pair<std::string_view, std::string_view> expected[] = {
      {"9279-1", "/min"},     {"8867-4", "/min"},   {"2708-6", "%"},     {"59408-5", "%"},
      {"8310-5", "Cel"},      {"8302-2", "cm"},     {"29463-7", "kg"},   {"39156-5", "kg/m2"},
      {"8480-6", "mm[Hg]"},   {"8462-4", "mm[Hg]"}, {"2339-0", "mg/dL"}, {"2345-7", "mg/dL"},
      {"72514-3", "{score}"}, {"3151-8", "L/min"}};
  for (const auto& [code, unit] : expected) EXPECT_EQ(info(code).unit, unit) << code;
  EXPECT_EQ(info("85354-9").role, CodeRole::panel);
  ASSERT_EQ(info("85354-9").components.size(), 2U);
  EXPECT_EQ(info("85354-9").components[0], "8480-6");
  EXPECT_EQ(info("85354-9").components[1], "8462-4");
  EXPECT_EQ(info("8480-6").role, CodeRole::component);
  EXPECT_EQ(supported_codes().size(), 15U);
}

TEST(Loinc, CodesAreUniqueAndUnknownOnesAreNotFound) {
  std::set<std::string_view> codes;
  for (const auto& c : supported_codes()) EXPECT_TRUE(codes.insert(c.code).second) << c.code;
  EXPECT_EQ(find_code("85353-1"), nullptr);  // the vital-signs panel is hasMember-only: not accepted
  EXPECT_EQ(find_code(""), nullptr);
  EXPECT_EQ(find_code("8867-4 "), nullptr);
}

TEST(Loinc, CanonicalUnitIsIdentity) {
  EXPECT_EQ(to_canonical(info("8867-4"), 72.5, "/min"), 72.5);
  EXPECT_EQ(to_canonical(info("8867-4"), 72, "{beats}/min"), 72);
  EXPECT_EQ(to_canonical(info("9279-1"), 16, "{breaths}/min"), 16);
  EXPECT_EQ(to_canonical(info("3151-8"), 2, "l/min"), 2);
}

TEST(Loinc, ConvertsFahrenheit) {
  EXPECT_NEAR(*to_canonical(info("8310-5"), 98.6, "[degF]"), 37.0, 1e-9);
  EXPECT_NEAR(*to_canonical(info("8310-5"), 32, "[degF]"), 0.0, 1e-12);
  EXPECT_NEAR(*to_canonical(info("8310-5"), 212, "[degF]"), 100.0, 1e-12);
  EXPECT_NEAR(*to_canonical(info("8310-5"), 104, "[degF]"), 40.0, 1e-12);
}

TEST(Loinc, ConvertsPoundsGramsAndInches) {
  EXPECT_NEAR(*to_canonical(info("29463-7"), 154.3, "[lb_av]"), 69.9893026910, 1e-9);
  EXPECT_NEAR(*to_canonical(info("29463-7"), 1, "[lb_av]"), 0.45359237, 1e-15);
  EXPECT_NEAR(*to_canonical(info("29463-7"), 70500, "g"), 70.5, 1e-12);
  EXPECT_NEAR(*to_canonical(info("8302-2"), 70, "[in_i]"), 177.8, 1e-9);
  EXPECT_NEAR(*to_canonical(info("8302-2"), 1, "[in_i]"), 2.54, 1e-15);
}

TEST(Loinc, RefusesUnitsOfAnotherQuantity) {
  EXPECT_EQ(to_canonical(info("8867-4"), 37, "Cel"), std::nullopt);
  EXPECT_EQ(to_canonical(info("8310-5"), 98.6, "degF"), std::nullopt);  // UCUM spells it [degF]
  EXPECT_EQ(to_canonical(info("29463-7"), 70, "lb"), std::nullopt);
  EXPECT_EQ(to_canonical(info("2339-0"), 5.5, "mmol/L"), std::nullopt);
  EXPECT_EQ(to_canonical(info("8480-6"), 120, "mmHg"), std::nullopt);
  EXPECT_EQ(to_canonical(info("85354-9"), 120, ""), std::nullopt);  // panels have no unit at all
  EXPECT_EQ(to_canonical(info("2708-6"), 97, ""), std::nullopt);
}

TEST(Loinc, RangeEdges) {
  const Range hr = info("8867-4").range;
  EXPECT_FALSE(hr.contains(0));
  EXPECT_TRUE(hr.contains(0.1));
  EXPECT_TRUE(hr.contains(300));
  EXPECT_FALSE(hr.contains(300.01));
  EXPECT_FALSE(hr.contains(900));
  EXPECT_EQ(hr.describe(), "above 0 and at most 300");
  const Range temp = info("8310-5").range;
  EXPECT_TRUE(temp.contains(25));
  EXPECT_FALSE(temp.contains(24.99));
  EXPECT_TRUE(temp.contains(47));
  EXPECT_FALSE(temp.contains(80));
  EXPECT_EQ(temp.describe(), "at least 25 and at most 47");
  EXPECT_TRUE(info("2708-6").range.contains(0));
  EXPECT_TRUE(info("2708-6").range.contains(100));
  EXPECT_FALSE(info("2708-6").range.contains(100.5));
}

}  // namespace
}  // namespace vigil::domain
