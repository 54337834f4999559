#include "loadgen/cli.h"

#include <gtest/gtest.h>

namespace vigil::loadgen {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, UnitsAndBareSeconds) {
  std::chrono::nanoseconds d{};
  ASSERT_TRUE(parse_duration("10s", d));
  EXPECT_EQ(d, 10s);
  ASSERT_TRUE(parse_duration("250ms", d));
  EXPECT_EQ(d, 250ms);
  ASSERT_TRUE(parse_duration("1.5s", d));
  EXPECT_EQ(d, 1500ms);
  ASSERT_TRUE(parse_duration("2m", d));
  EXPECT_EQ(d, 120s);
  ASSERT_TRUE(parse_duration("3", d));
  EXPECT_EQ(d, 3s);
  ASSERT_TRUE(parse_duration("0", d));
  EXPECT_EQ(d, 0s);
  for (const char* bad : {"", "s", "-1s", "10h", "ten", "1e999s", "5 s"})
    EXPECT_FALSE(parse_duration(bad, d)) << bad;
}

TEST(Command, RegistersLoadgenWithItsOptions) {
  CLI::App app;
  register_command(app);
  CLI::App* sub = app.get_subcommand("loadgen");
  ASSERT_NE(sub, nullptr);
  for (const char* name : {"--url", "--scenario", "--mode", "--rate", "--connections", "--duration",
                           "--warmup", "--threads", "--patients-per-site", "--sites", "--json", "--token"}) {
    EXPECT_NO_THROW(sub->get_option(name)) << name;
  }
}

TEST(Command, RejectsUnknownScenarioAndMode) {
  {
    CLI::App app;
    register_command(app);
    EXPECT_THROW(app.parse(std::vector<std::string>{"bogus", "--scenario", "loadgen"}), CLI::ValidationError);
  }
  {
    CLI::App app;
    register_command(app);
    EXPECT_THROW(app.parse(std::vector<std::string>{"sideways", "--mode", "loadgen"}), CLI::ValidationError);
  }
}

TEST(Command, UnreachableTargetEndsWithExitStatusOne) {
  CLI::App app;
  register_command(app);
  // Port 1 on loopback: nothing listens there for an unprivileged test. (CLI11 takes the
  // argument vector in reverse order.)
  try {
    app.parse(std::vector<std::string>{"1s", "--duration", "http://127.0.0.1:1", "--url", "loadgen"});
    FAIL() << "expected CLI::RuntimeError";
  } catch (const CLI::RuntimeError& e) {
    EXPECT_EQ(e.get_exit_code(), 1);
  }
}

}  // namespace
}  // namespace vigil::loadgen
