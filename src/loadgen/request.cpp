#include "loadgen/request.h"

#include <fmt/format.h>

#include <iterator>

namespace vigil::loadgen {

std::optional<Scenario> parse_scenario(std::string_view name) {
  if (name == "single") return Scenario::single;
  if (name == "batch100") return Scenario::batch100;
  if (name == "epro") return Scenario::epro;
  if (name == "mixed") return Scenario::mixed;
  return std::nullopt;
}

std::string_view scenario_name(Scenario s) {
  switch (s) {
    case Scenario::single:
      return "single";
    case Scenario::batch100:
      return "batch100";
    case Scenario::epro:
      return "epro";
    case Scenario::mixed:
      return "mixed";
  }
  return "unknown";
}

RequestBuilder::RequestBuilder(Scenario scenario, TargetInfo target, PatientSpace space, std::uint64_t seed,
                               const Clock& wall)
    : scenario_(scenario), target_(std::move(target)), payload_(std::move(space), seed, wall) {
  head_.reserve(256);
  body_.reserve(scenario == Scenario::batch100 ? 32 * 1024 : 512);
}

Request RequestBuilder::post(std::string_view path, unsigned observations) {
  head_.clear();
  auto it = std::back_inserter(head_);
  fmt::format_to(it,
                 "POST {}{} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                 target_.path_prefix, path, target_.host_header, body_.size());
  if (!target_.bearer_token.empty()) fmt::format_to(it, "Authorization: Bearer {}\r\n", target_.bearer_token);
  head_ += "\r\n";
  return Request{head_, body_, observations, false};
}

Request RequestBuilder::next() {
  const std::uint64_t n = sequence_++;
  switch (scenario_) {
    case Scenario::single:
      payload_.observation(body_);
      return post("/v1/observations", 1);
    case Scenario::batch100:
      payload_.observation_batch(body_, 100);
      return post("/v1/observations", 100);
    case Scenario::epro:
      payload_.questionnaire_response(body_);
      return post("/v1/questionnaire-responses", 0);
    case Scenario::mixed:
      if (n % 10 == 9) {
        head_.clear();
        auto it = std::back_inserter(head_);
        fmt::format_to(it, "GET {}/v1/alerts?limit=20 HTTP/1.1\r\nHost: {}\r\n", target_.path_prefix,
                       target_.host_header);
        if (!target_.bearer_token.empty()) {
          fmt::format_to(it, "Authorization: Bearer {}\r\n", target_.bearer_token);
        }
        head_ += "\r\n";
        body_.clear();
        return Request{head_, {}, 0, true};
      }
      payload_.observation(body_);
      return post("/v1/observations", 1);
  }
  return post("/v1/observations", 0);
}

}  // namespace vigil::loadgen
