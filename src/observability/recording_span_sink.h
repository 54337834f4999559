#pragma once
// TEST ONLY: a SpanSink that keeps every span it is given, for tests to read back.
//
// Thread safety: record() and spans() may be called from any thread.
#include <mutex>
#include <utility>
#include <vector>

#include "observability/span.h"

namespace vigil::observability {

class RecordingSpanSink final : public SpanSink {
 public:
  void record(Span span) noexcept override {
    const std::lock_guard lock(mu_);
    spans_.push_back(std::move(span));
  }
  // A copy of the spans recorded so far, in the order they came.
  [[nodiscard]] std::vector<Span> spans() const {
    const std::lock_guard lock(mu_);
    return spans_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Span> spans_;
};

}  // namespace vigil::observability
