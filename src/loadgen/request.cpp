#include "loadgen/request.h"

#include <fmt/format.h>

#include <iterator>

#include "loadgen/alert_probe.h"

namespace vigil::loadgen {

std::optional<Scenario> parse_scenario(std::string_view name) {
  if (name == "single") return Scenario::single;
  if (name == "batch100") return Scenario::batch100;
  if (name == "epro") return Scenario::epro;
  if (name == "mixed") return Scenario::mixed;
  if (name == "alert-latency") return Scenario::alert_latency;
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
    case Scenario::alert_latency:
      return "alert-latency";
  }
  return "unknown";
}

RequestBuilder::RequestBuilder(Scenario scenario, TargetInfo target, PatientSpace space, std::uint64_t seed,
                               const Clock& wall)
    : scenario_(scenario),
      target_(std::move(target)),
      payload_(std::move(space), seed, wall),
      choice_(seed ^ 0x5851f42d4c957f2dULL) {
  // --token is one more static header; it sits first so that a credential can replace it.
  if (!target_.bearer_token.empty()) {
    target_.headers.insert(target_.headers.begin(),
                           Header{"Authorization", "Bearer " + target_.bearer_token});
  }
  head_.reserve(256);
  body_.reserve(scenario == Scenario::batch100 ? 32 * 1024 : 512);
}

void RequestBuilder::set_credential(const Credential& credential) {
  credential_ = credential.header();
  payload_.set_patient(credential.patient_id);
}

void RequestBuilder::set_alert_probe(AlertProbe& probe, double fraction) {
  probe_ = &probe;
  alert_fraction_ = fraction;
}

Request RequestBuilder::post(std::string_view path, unsigned observations, const Header* credential) {
  head_.clear();
  fmt::format_to(std::back_inserter(head_),
                 "POST {}{} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                 target_.path_prefix, path, target_.host_header, body_.size());
  append_header_lines(head_, target_.headers, credential);
  head_ += "\r\n";
  return Request{head_, body_, observations, false, {}};
}

Request RequestBuilder::alert_latency(bool measured) {
  if (probe_ != nullptr && measured && choice_.unit() < alert_fraction_) {
    if (auto target = probe_->claim_target()) {
      const auto bpm = static_cast<unsigned>(kAlertBpmLow + choice_.below(kAlertBpmHigh - kAlertBpmLow + 1));
      const std::string_view id = payload_.heart_rate(body_, target->patient_id, bpm);
      // The patient's own credential (a device key answers for one patient only); generated
      // patients go with the static headers.
      Request r = post("/v1/observations", 1, target->credential ? &*target->credential : nullptr);
      r.alert_id = id;
      return r;
    }
  }
  const auto bpm = static_cast<unsigned>(kNormalBpmLow + choice_.below(kNormalBpmHigh - kNormalBpmLow + 1));
  payload_.heart_rate(body_, {}, bpm);
  return post("/v1/observations", 1, credential_ ? &*credential_ : nullptr);
}

Request RequestBuilder::next(bool measured) {
  const std::uint64_t n = sequence_++;
  const Header* credential = credential_ ? &*credential_ : nullptr;
  switch (scenario_) {
    case Scenario::single:
      payload_.observation(body_);
      return post("/v1/observations", 1, credential);
    case Scenario::batch100:
      payload_.observation_batch(body_, 100);
      return post("/v1/observations", 100, credential);
    case Scenario::epro:
      payload_.questionnaire_response(body_);
      return post("/v1/questionnaire-responses", 0, credential);
    case Scenario::alert_latency:
      return alert_latency(measured);
    case Scenario::mixed:
      if (n % 10 == 9) {
        head_.clear();
        fmt::format_to(std::back_inserter(head_), "GET {}/v1/alerts?limit=20 HTTP/1.1\r\nHost: {}\r\n",
                       target_.path_prefix, target_.host_header);
        append_header_lines(head_, target_.headers);
        head_ += "\r\n";
        body_.clear();
        return Request{head_, {}, 0, true, {}};
      }
      payload_.observation(body_);
      return post("/v1/observations", 1, credential);
  }
  return post("/v1/observations", 0, credential);
}

}  // namespace vigil::loadgen
