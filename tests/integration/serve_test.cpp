// `vigil serve` as users run it: start-up, health, staged shutdown, and one clear line for each
// start-up failure.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>

#include "http/test_client.h"
#include "process.h"

namespace vigil::testing {
namespace {

int count_lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

TEST(Serve, AnswersHealthChecksAndExitsZeroOnSigterm) {
  TempFolder folder;
  VigilProcess vigil({"serve", "--config", write_config(folder.path(), folder.path() / "data").string()});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  http::TestClient client(*port);
  auto res = client.get("/healthz");
  EXPECT_EQ(res.result_int(), 200);
  res = client.get("/readyz");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  vigil.signal(SIGTERM);
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
}

TEST(Serve, ExitsZeroOnSigintWithAKeepAliveConnectionOpen) {
  TempFolder folder;
  VigilProcess vigil({"serve", "--config", write_config(folder.path(), folder.path() / "data").string()});
  const auto port = vigil.wait_listening();
  ASSERT_TRUE(port) << vigil.output();
  http::TestClient client(*port);
  EXPECT_EQ(client.get("/healthz").result_int(), 200);
  vigil.signal(SIGINT);  // the idle keep-alive connection must not hold the shutdown
  EXPECT_EQ(vigil.wait(), 0) << vigil.output();
  EXPECT_TRUE(client.closed_by_server());
}

TEST(Serve, RejectsAnUnknownConfigKeyWithFileLineAndReason) {
  TempFolder folder;
  const auto file = folder.path() / "bad.yaml";
  std::ofstream(file) << "server:\n  listen: 127.0.0.1:0\n  max_conections: 10\n";
  VigilProcess vigil({"serve", "--config", file.string()});
  EXPECT_NE(vigil.wait(), 0);
  const auto out = vigil.output();
  EXPECT_NE(out.find(file.string() + ":3:"), std::string::npos) << out;
  EXPECT_NE(out.find("max_conections"), std::string::npos) << out;
  EXPECT_EQ(count_lines(out), 1) << out;
}

TEST(Serve, RefusesAnOccupiedPortWithOneLine) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor taken(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  TempFolder folder;
  const auto file = folder.path() / "vigil.yaml";
  std::ofstream(file) << "server:\n  listen: 127.0.0.1:" << taken.local_endpoint().port() << "\n"
                      << "storage:\n  data_dir: " << (folder.path() / "data").string() << "\n"
                      << "auth:\n  hs256_secret_file: " << (folder.path() / "jwt.key").string()
                      << "\n  create_secret: true\n"
                      << "logging:\n  level: warn\n";
  VigilProcess vigil({"serve", "--config", file.string()});
  EXPECT_EQ(vigil.wait(), 1);
  const auto out = vigil.output();
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:"), std::string::npos) << out;
  EXPECT_EQ(count_lines(out), 1) << out;
}

TEST(Serve, RefusesADataFolderThatCannotBeCreated) {
  TempFolder folder;
  const auto blocker = folder.path() / "file";
  std::ofstream(blocker) << "not a folder";
  VigilProcess vigil({"serve", "--config", write_config(folder.path(), blocker / "data").string()});
  EXPECT_EQ(vigil.wait(), 1);
  const auto out = vigil.output();
  EXPECT_NE(out.find("cannot create data folder"), std::string::npos) << out;
  EXPECT_EQ(count_lines(out), 1) << out;
}

// `make demo`'s command, shortened: a fresh data folder, the demo trial, the simulator over real
// HTTP, then a drain and the summary, whose acknowledged and stored counts must agree (the demo
// exits 1 when they do not).
TEST(Demo, RunsDrainsAndReportsEveryAcknowledgedReadingStored) {
  TempFolder folder;
  VigilProcess demo({"demo", "--duration", "3s", "--port", "0", "--rate", "500", "--data-root",
                     (folder.path() / "demo").string()});
  ASSERT_EQ(demo.wait(std::chrono::seconds(120)), 0) << demo.output();
  const auto out = demo.output();
  EXPECT_NE(out.find("listening on http://127.0.0.1:"), std::string::npos) << out;
  EXPECT_NE(out.find("/v1/alerts/stream"), std::string::npos) << "the stream's console URL is printed at start";
  EXPECT_NE(out.find("Simulation summary: 2000 patients"), std::string::npos) << out;
  EXPECT_NE(out.find("acknowledged: equal"), std::string::npos) << out;
  EXPECT_NE(out.find("false alerts"), std::string::npos) << out;
  EXPECT_NE(out.find("transport errors 0 "), std::string::npos) << out;
}

TEST(Version, PrintsTheVersion) {
  VigilProcess vigil({"version"});
  EXPECT_EQ(vigil.wait(), 0);
  EXPECT_EQ(vigil.output().rfind("vigil ", 0), 0U) << vigil.output();
}

}  // namespace
}  // namespace vigil::testing
