#include "http/router.h"

#include <gtest/gtest.h>

namespace vigil::http {
namespace {

Handler ok() {
  return [](RequestContext&) -> asio::awaitable<std::optional<Response>> {
    co_return Response{Status::ok, 11};
  };
}

TEST(Router, MatchesLiteralAndCaptures) {
  Router r;
  r.add(Verb::get, "/v1/alerts", ok());
  r.add(Verb::get, "/v1/alerts/{id}", ok());
  r.add(Verb::post, "/v1/alerts/{id}/acknowledge", ok());
  auto m = r.match(Verb::get, "/v1/alerts/al_42");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.get("id"), "al_42");
  m = r.match(Verb::post, "/v1/alerts/x/acknowledge");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.get("id"), "x");
  EXPECT_NE(r.match(Verb::get, "/v1/alerts/").handler, nullptr);  // trailing slash is the same path
}

TEST(Router, ReportsAllowedMethodsForKnownPath) {
  Router r;
  r.add(Verb::post, "/v1/observations", ok());
  const auto m = r.match(Verb::get, "/v1/observations");
  EXPECT_EQ(m.handler, nullptr);
  ASSERT_EQ(m.allowed.size(), 1u);
  EXPECT_EQ(m.allowed[0], Verb::post);
  EXPECT_TRUE(r.match(Verb::get, "/nowhere").allowed.empty());
}

TEST(Router, RejectsDuplicateRoutes) {
  Router r;
  r.add(Verb::get, "/healthz", ok());
  EXPECT_THROW(r.add(Verb::get, "/healthz", ok()), std::logic_error);
}

}  // namespace
}  // namespace vigil::http
