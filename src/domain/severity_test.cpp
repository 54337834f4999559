#include "domain/severity.h"

#include <gtest/gtest.h>

namespace vigil::domain {
namespace {

TEST(Severity, NamesRoundTrip) {
  for (const Severity s :
       {Severity::low, Severity::low_medium, Severity::medium, Severity::high, Severity::critical}) {
    EXPECT_EQ(parse_severity(to_string(s)), s) << to_string(s);
  }
  EXPECT_EQ(to_string(Severity::low_medium), "low-medium");
  EXPECT_EQ(to_string(Severity::critical), "critical");
}

TEST(Severity, ParseRefusesAnythingElse) {
  EXPECT_EQ(parse_severity(""), std::nullopt);
  EXPECT_EQ(parse_severity("High"), std::nullopt);  // names are lower-case
  EXPECT_EQ(parse_severity("low_medium"), std::nullopt);
  EXPECT_EQ(parse_severity("severe"), std::nullopt);
}

TEST(Severity, IsOrdered) {
  EXPECT_LT(Severity::low, Severity::low_medium);
  EXPECT_LT(Severity::low_medium, Severity::medium);
  EXPECT_LT(Severity::medium, Severity::high);
  EXPECT_LT(Severity::high, Severity::critical);
}

}  // namespace
}  // namespace vigil::domain
