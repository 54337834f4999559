#pragma once
// A vital-sign reading as Vigil stores and scores it. Pure data: no I/O, no threads.
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace vigil::domain {

// One part of a panel observation (blood pressure: 8480-6 systolic, 8462-4 diastolic).
struct Component {
  std::string code;  // LOINC
  double value = 0;
  std::string unit;  // UCUM
};

struct Observation {
  std::string id;               // client idempotency key: a UUID, lower-case after validation
  std::string patient_id;       // pseudonymous subject id
  std::string device_id;        // optional; empty when absent
  std::string code;             // LOINC (see domain/loinc.h)
  std::optional<double> value;  // absent for panels (85354-9), which carry components
  std::string unit;             // UCUM; after normalisation, the code's canonical unit
  std::vector<Component> components;
  TimePoint effective_time{};
};

}  // namespace vigil::domain
