#include "loadgen/credentials.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "auth/api_key.h"
#include "loadgen/error.h"

namespace vigil::loadgen {
namespace {

const std::string kJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkci5tYXJzaCJ9.c2lnbmF0dXJl";

// The message of the LoadgenError `f` throws; "" when it does not throw.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const LoadgenError& e) {
    return e.what();
  }
  return "";
}

TEST(Credentials, ParsesKeysAndBearerTokensSkippingCommentsAndBlankLines) {
  const std::string key = auth::generate_api_key();
  const std::string text =
      "# devices of site S01\r\n"
      "\n"
      "DEMO-S01-0001 " +
      key +
      "\r\n"
      "   \t \n"
      "DEMO-S01-0002\tBearer " +
      kJwt +
      "\n"
      "DEMO-S01-0003  bearer   " +
      kJwt;  // no final newline; scheme any case
  const auto creds = parse_credentials(text, "creds.txt");
  ASSERT_EQ(creds.size(), 3U);
  EXPECT_EQ(creds[0].patient_id, "DEMO-S01-0001");
  EXPECT_EQ(creds[0].kind, CredentialKind::api_key);
  EXPECT_EQ(creds[0].secret, key);
  EXPECT_EQ(creds[0].line, 3U);
  EXPECT_EQ(creds[0].header().name, "X-API-Key");
  EXPECT_EQ(creds[0].header().value, key);
  EXPECT_EQ(creds[1].patient_id, "DEMO-S01-0002");
  EXPECT_EQ(creds[1].kind, CredentialKind::bearer);
  EXPECT_EQ(creds[1].secret, kJwt);
  EXPECT_EQ(creds[1].line, 5U);
  EXPECT_EQ(creds[1].header().name, "Authorization");
  EXPECT_EQ(creds[1].header().value, "Bearer " + kJwt);
  EXPECT_EQ(creds[2].line, 6U);
  EXPECT_EQ(creds[2].kind, CredentialKind::bearer);
}

TEST(Credentials, ErrorsNameFileLineAndProblemWithoutTheSecret) {
  const std::string key = auth::generate_api_key();
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"# ok\nDEMO-S01-0001 " + key + "\nDEMO S01 " + key + "\n", "f.txt:3: expected an API key"},
      {"DEMO-S01-0001\n", "f.txt:1: a credential must follow the patient id"},
      {"\n\nDEMO/S01 " + key + "\n", "f.txt:3: 'DEMO/S01' is not a patient id"},
      {std::string(65, 'P') + " " + key, "f.txt:1: '" + std::string(65, 'P') + "' is not a patient id"},
      {"P1 vk_short\n", "f.txt:1: malformed API key"},
      {"P1 " + key + " extra\n", "f.txt:1: unexpected text after the API key"},
      {"P1 Bearer\n", "f.txt:1: 'Bearer' must be followed by a token"},
      {"P1 Bearer not-a-jwt\n", "f.txt:1: malformed bearer token"},
      {"P1 Bearer .a.b\n", "f.txt:1: malformed bearer token"},
      {"P1 Bearer a.b.c.d\n", "f.txt:1: malformed bearer token"},
      {"P1 Bearer " + kJwt + " more\n", "f.txt:1: unexpected text after the bearer token"},
      {"P1 Basic dXNlcjpwYXNz\n", "f.txt:1: expected an API key 'vk_...' or 'Bearer <jwt>'"},
      {"# only a comment\n\n", "f.txt: no credentials"},
  };
  for (const Case& c : cases) {
    const std::string message = error_of([&] { parse_credentials(c.text, "f.txt"); });
    EXPECT_EQ(message.rfind(c.expected, 0), 0U) << "got: " << message << "\nfor: " << c.text;
    EXPECT_EQ(message.find(key), std::string::npos) << message;
    EXPECT_EQ(message.find("dXNlcjpwYXNz"), std::string::npos) << message;
  }
}

TEST(Credentials, JwtWithEmptySignatureIsAShape) {
  EXPECT_EQ(parse_credentials("P1 Bearer aaa.bbb.", "f").at(0).secret, "aaa.bbb.");
}

TEST(Credentials, LoadsAFileAndNamesAMissingOne) {
  const std::string path = ::testing::TempDir() + "loadgen_credentials_test.txt";
  {
    std::ofstream out(path);
    out << "DEMO-S02-0010 Bearer " << kJwt << "\n";
  }
  const auto creds = load_credentials(path);
  ASSERT_EQ(creds.size(), 1U);
  EXPECT_EQ(creds[0].patient_id, "DEMO-S02-0010");
  std::remove(path.c_str());
  EXPECT_NE(error_of([&] { load_credentials(path); }).find("cannot open"), std::string::npos);
}

TEST(Credentials, ConnectionsTakeLinesRoundRobin) {
  const auto creds = parse_credentials("A Bearer a.b.c\nB Bearer a.b.c\nC Bearer a.b.c\n", "f");
  std::string order;
  for (std::size_t i = 0; i < 7; ++i) order += credential_for_connection(creds, i).patient_id;
  EXPECT_EQ(order, "ABCABCA");
}

TEST(Credentials, DistinctPatientsKeepFirstCredentialInFileOrder) {
  const auto creds =
      parse_credentials("B Bearer b.b.b\nA Bearer a.a.a\nB Bearer c.c.c\nA Bearer d.d.d\n", "f");
  const auto distinct = distinct_patients(creds);
  ASSERT_EQ(distinct.size(), 2U);
  EXPECT_EQ(distinct[0].patient_id, "B");
  EXPECT_EQ(distinct[0].secret, "b.b.b");
  EXPECT_EQ(distinct[1].patient_id, "A");
  EXPECT_EQ(distinct[1].secret, "a.a.a");
}

TEST(Headers, ParsesNameAndTrimmedValue) {
  const Header h = parse_header("Authorization:   Bearer abc.def.ghi  ");
  EXPECT_EQ(h.name, "Authorization");
  EXPECT_EQ(h.value, "Bearer abc.def.ghi");
  const Header empty = parse_header("X-Empty:");
  EXPECT_EQ(empty.name, "X-Empty");
  EXPECT_EQ(empty.value, "");
  EXPECT_EQ(parse_header("X-Colon: a:b").value, "a:b");
}

TEST(Headers, RefusesMalformedAndReservedHeaders) {
  EXPECT_NE(error_of([] { parse_header("no colon"); }).find("is not 'Name: value'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_header(": v"); }).find("name is empty"), std::string::npos);
  EXPECT_NE(error_of([] { parse_header("Bad Name: v"); }).find("not a valid header name"), std::string::npos);
  EXPECT_NE(error_of([] { parse_header("X-A: a\r\nX-B: b"); }).find("control character"), std::string::npos);
  for (const char* reserved : {"host: x", "Content-Length: 3", "content-type: text/plain",
                               "Transfer-Encoding: chunked", "CONNECTION: close"}) {
    EXPECT_NE(error_of([&] { parse_header(reserved); }).find("written by the load generator"),
              std::string::npos)
        << reserved;
  }
}

TEST(Headers, CredentialReplacesStaticCredentialHeaders) {
  const std::vector<Header> headers{{"authorization", "Bearer staff"}, {"X-Trace", "1"}};
  std::string out;
  append_header_lines(out, headers);
  EXPECT_EQ(out, "authorization: Bearer staff\r\nX-Trace: 1\r\n");
  out.clear();
  const Header device{"Authorization", "Bearer device"};
  append_header_lines(out, headers, &device);
  EXPECT_EQ(out, "X-Trace: 1\r\nAuthorization: Bearer device\r\n");
  out.clear();
  const Header key{"X-API-Key", "vk_x"};
  append_header_lines(out, headers, &key);
  EXPECT_EQ(out, "X-Trace: 1\r\nX-API-Key: vk_x\r\n");
  out.clear();
  const std::vector<Header> with_key{{"x-api-key", "vk_static"}, {"X-Custom", "c"}};
  append_header_lines(out, with_key, &device);
  EXPECT_EQ(out, "X-Custom: c\r\nAuthorization: Bearer device\r\n");
}

}  // namespace
}  // namespace vigil::loadgen
