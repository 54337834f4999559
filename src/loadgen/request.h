#pragma once
// The HTTP/1.1 requests of each load scenario, built as raw bytes ready for one gathered write:
//   single    POST /v1/observations, one observation
//   batch100  POST /v1/observations, {"observations": [100]}
//   epro      POST /v1/questionnaire-responses
//   mixed     single, except every tenth request is GET /v1/alerts?limit=20
// Requests are keep-alive (HTTP/1.1 default) and carry an optional bearer token.
//
// Thread safety: none; each connection owns its own RequestBuilder.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "loadgen/payload.h"

namespace vigil::loadgen {

enum class Scenario { single, batch100, epro, mixed };

std::optional<Scenario> parse_scenario(std::string_view name);
std::string_view scenario_name(Scenario s);

// Where requests go: the Host header value and a path prefix from the URL ("" or "/base").
struct TargetInfo {
  std::string host_header = "127.0.0.1:8080";
  std::string path_prefix;
  std::string bearer_token;  // empty: no Authorization header
};

struct Request {
  std::string_view head;      // request line and headers, ending in the blank line
  std::string_view body;      // empty for GET
  unsigned observations = 0;  // observations carried (0 for ePRO and reads)
  bool is_read = false;
};

class RequestBuilder {
 public:
  RequestBuilder(Scenario scenario, TargetInfo target, PatientSpace space, std::uint64_t seed,
                 const Clock& wall);

  // Builds the next request of the scenario. The views stay valid until the next call.
  Request next();

 private:
  Request post(std::string_view path, unsigned observations);

  Scenario scenario_;
  TargetInfo target_;
  PayloadWriter payload_;
  std::uint64_t sequence_ = 0;
  std::string head_;
  std::string body_;
};

}  // namespace vigil::loadgen
