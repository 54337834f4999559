#pragma once
// Read side for GET /v1/patients/{id}/observations: a patient's latest observations straight from
// the durable log, so that what the API shows is exactly what was acknowledged.
//
// Thread safety: latest() may be called from any thread concurrently. It blocks on storage I/O, so
// call it from a blocking pool, never from a network thread.
#include <cstddef>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "log/log.h"

namespace vigil::log {

class ObservationQuery {
 public:
  virtual ~ObservationQuery() = default;

  // Observations (RecordKind::observation only) of `patient_id` with effective_time >= since,
  // restricted to LOINC `code` unless it is empty, newest effective_time first (ties: newest seq
  // first), at most `limit`. Throws std::runtime_error when the storage cannot be read.
  virtual std::vector<Record> latest(std::string_view patient_id, std::string_view code, TimePoint since,
                                     std::size_t limit) = 0;
};

}  // namespace vigil::log
