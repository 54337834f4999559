#include "loadgen/cli.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

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
  for (const char* name :
       {"--url", "--scenario", "--mode", "--rate", "--connections", "--duration", "--warmup", "--threads",
        "--patients-per-site", "--sites", "--json", "--token", "--header", "--credentials",
        "--alert-fraction", "--stream-header", "--alert-wait", "--alert-skip"}) {
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

// Parses `args` (in the order a person types them) and returns the ValidationError's message.
std::string validation_error(std::vector<std::string> args) {
  CLI::App app;
  register_command(app);
  args.insert(args.begin(), "loadgen");
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector in reverse order
  try {
    app.parse(args);
  } catch (const CLI::ValidationError& e) {
    return e.what();
  } catch (const CLI::Error& e) {
    return std::string("other CLI error: ") + e.what();
  }
  return "";
}

TEST(Command, HeadersAreValidated) {
  const std::string message = validation_error({"--header", "X-Ok: 1", "--header", "Host: elsewhere"});
  EXPECT_NE(message.find("--header"), std::string::npos) << message;
  EXPECT_NE(message.find("written by the load generator"), std::string::npos) << message;
  EXPECT_NE(validation_error({"--stream-header", "no colon"}).find("--stream-header"), std::string::npos);
}

TEST(Command, CredentialsFileErrorsNameTheLine) {
  const std::string path = ::testing::TempDir() + "loadgen_cli_credentials.txt";
  {
    std::ofstream out(path);
    out << "# patients\nDEMO-S01-0001 Bearer a.b.c\nDEMO-S01-0002 Token xyz\n";
  }
  const std::string message = validation_error({"--credentials", path});
  std::remove(path.c_str());
  EXPECT_NE(message.find(path + ":3: expected an API key"), std::string::npos) << message;
  EXPECT_NE(validation_error({"--credentials", path}).find("--credentials"), std::string::npos)
      << "a missing file is refused by the option's check";
}

TEST(Command, AlertLatencyIsOpenLoop) {
  const std::string message = validation_error({"--scenario", "alert-latency", "--mode", "closed"});
  EXPECT_NE(message.find("open-loop"), std::string::npos) << message;
  EXPECT_NE(
      validation_error({"--scenario", "alert-latency", "--alert-fraction", "0"}).find("--alert-fraction"),
      std::string::npos);
  // Without --mode it runs open loop and gets as far as connecting (nothing listens on port 1).
  CLI::App app;
  register_command(app);
  try {
    app.parse(
        std::vector<std::string>{"http://127.0.0.1:1", "--url", "alert-latency", "--scenario", "loadgen"});
    FAIL() << "expected CLI::RuntimeError";
  } catch (const CLI::RuntimeError& e) {
    EXPECT_EQ(e.get_exit_code(), 1);
  }
}

}  // namespace
}  // namespace vigil::loadgen
