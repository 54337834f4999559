#pragma once
// Shared by the simulator's tests: the demo trial's registry, loaded once from the real protocol
// file, and NEWS2 / threshold / CTCAE checks of a simulated reading set through the rules module.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "registry/protocol_file.h"
#include "rules/ctcae.h"
#include "rules/news2.h"
#include "rules/thresholds.h"
#include "sim/physiology.h"
#include "sim/simulator.h"

namespace vigil::sim::testing {

inline const registry::Registry& demo_registry() {
  static const std::unique_ptr<registry::Registry> registry =
      registry::load_protocol_file(std::string(VIGIL_SOURCE_DIR) + "/examples/trials/demo.yaml");
  return *registry;
}

inline const rules::Protocol& demo_protocol() {
  static const auto protocol = demo_registry().protocol(demo_registry().trials().front().id);
  return *protocol;
}

inline rules::News2Result news2(const Vitals& v, int spo2_scale) {
  rules::News2Input in;
  in.respiration_rate = v.respiration_rate;
  in.spo2 = v.spo2;
  in.systolic = v.systolic;
  in.pulse = v.heart_rate;
  in.temperature = v.temperature;
  in.spo2_scale = spo2_scale;
  return rules::score_news2(in);
}

// The first demo-protocol threshold a reading set trips, as "code value"; nothing when none does.
inline std::optional<std::string> tripped_threshold(const Vitals& v) {
  const auto& thresholds = demo_protocol().thresholds;
  const std::pair<const char*, double> readings[] = {
      {"8867-4", v.heart_rate},  {"9279-1", v.respiration_rate}, {"2708-6", v.spo2},
      {"8310-5", v.temperature}, {"8480-6", v.systolic},         {"8462-4", v.diastolic},
  };
  for (const auto& [code, value] : readings) {
    if (rules::check_threshold(thresholds, code, value, "id", TimePoint{}))
      return std::string(code) + " " + std::to_string(value);
  }
  return std::nullopt;
}

inline int ctcae_grade(const Vitals& v) {
  return std::max(rules::grade_hypertension(v.systolic, v.diastolic).grade,
                  rules::grade_fever(v.temperature, Duration(0)).grade);
}

// The start of the simulated clock in the run() tests.
inline const TimePoint kOrigin =
    std::chrono::sys_days(std::chrono::year(2026) / 11 / 22) + std::chrono::hours(8);

// run() on another thread with a clock at 60x, so that a hang fails the test instead of blocking
// it; past `limit` the test aborts, since the run still references the caller's options.
inline SimSummary run_bounded(const SimOptions& options, const SimHooks& hooks = {},
                              std::chrono::seconds limit = std::chrono::seconds(90)) {
  static const ScaledClock clock(kOrigin, 60);
  auto result = std::async(std::launch::async, [&] { return run(options, demo_registry(), clock, hooks); });
  if (result.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << "run() did not return";
    std::abort();
  }
  return result.get();
}

}  // namespace vigil::sim::testing
