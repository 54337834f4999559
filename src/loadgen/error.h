#pragma once
// The load generator's one exception type: an option, file, URL or target that makes the run
// impossible. Failures during a run are counted in the report, never thrown.
#include <stdexcept>

namespace vigil::loadgen {

class LoadgenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace vigil::loadgen
