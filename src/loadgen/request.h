#pragma once
// The HTTP/1.1 requests of each load scenario, built as raw bytes ready for one gathered write:
//   single    POST /v1/observations, one observation
//   batch100  POST /v1/observations, {"observations": [100]}
//   epro      POST /v1/questionnaire-responses
//   mixed     single, except every tenth request is GET /v1/alerts?limit=20
//   alert-latency  POST /v1/observations, one heart-rate reading: normal (60-90 /min), or with
//             probability `alert_fraction` (measured window only) an alerting one (140-170 /min)
//             for the next patient the AlertProbe hands out, sent with that patient's credential
// Requests are keep-alive (HTTP/1.1 default). Every request carries the static headers (--header,
// --token). A connection holding a credential (set_credential) writes every body about that
// credential's patient and sends its header on POSTs instead of any static Authorization or
// X-API-Key header; reads (GET) carry only the static headers (a staff token given with --header).
//
// Thread safety: none; each connection owns its own RequestBuilder.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "loadgen/credentials.h"
#include "loadgen/payload.h"

namespace vigil::loadgen {

enum class Scenario { single, batch100, epro, mixed, alert_latency };

class AlertProbe;

std::optional<Scenario> parse_scenario(std::string_view name);
std::string_view scenario_name(Scenario s);

// Where requests go: the Host header value and a path prefix from the URL ("" or "/base").
struct TargetInfo {
  std::string host_header = "127.0.0.1:8080";
  std::string path_prefix;
  std::string bearer_token;          // empty: no Authorization header from it
  std::vector<Header> headers = {};  // static headers on every request
};

struct Request {
  std::string_view head;      // request line and headers, ending in the blank line
  std::string_view body;      // empty for GET
  unsigned observations = 0;  // observations carried (0 for ePRO and reads)
  bool is_read = false;
  std::string_view alert_id;  // alert-latency: the id of an alerting reading; empty otherwise
};

class RequestBuilder {
 public:
  RequestBuilder(Scenario scenario, TargetInfo target, PatientSpace space, std::uint64_t seed,
                 const Clock& wall);

  // This connection's credential: its patient in every body, its header on every POST.
  void set_credential(const Credential& credential);
  // alert-latency: where alerting readings get their patients and how often to send one
  // (0 < fraction <= 1). `probe` must outlive the builder.
  void set_alert_probe(AlertProbe& probe, double fraction);

  // Builds the next request of the scenario; alerting readings only when `measured` (so warm-up
  // does not use up patients). The views stay valid until the next call.
  Request next(bool measured = true);

 private:
  Request post(std::string_view path, unsigned observations, const Header* credential);
  Request alert_latency(bool measured);

  Scenario scenario_;
  TargetInfo target_;
  PayloadWriter payload_;
  FastRandom choice_;
  std::optional<Header> credential_;
  AlertProbe* probe_ = nullptr;
  double alert_fraction_ = 0;
  std::uint64_t sequence_ = 0;
  std::string head_;
  std::string body_;
};

}  // namespace vigil::loadgen
