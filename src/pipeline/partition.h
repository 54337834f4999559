#pragma once
// Which worker owns a patient: every record of one patient goes to the same worker, so that worker
// sees the patient's records in log order and alone touches the patient's state.
//
// FNV-1a rather than std::hash, whose value may change between standard libraries: the mapping is
// the same in every build and run, which keeps logs and test runs comparable. Pure function.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::pipeline {

// A worker index in [0, workers); `workers` must be at least 1.
inline std::size_t partition_of(std::string_view patient_id, std::size_t workers) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : patient_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<std::size_t>(hash % workers);
}

}  // namespace vigil::pipeline
