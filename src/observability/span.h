#pragma once
// A finished span (one unit of traced work) and the two seams that code producing spans needs:
// SpanSink, where spans go (the OTLP exporter, or a test's vector), and SpanClock, the wall time
// spans are stamped with. Producers (the access-log link, the pipeline) depend on these only, never
// on the exporter's networking.
//
// Span times are real wall time in unix nanoseconds even when the application runs on a simulated
// Clock (the demo's ScaledClock): a collector lines spans up with other services' spans.
//
// Thread safety: Span is a plain value. SpanSink::record and SpanClock::now_unix_nanos must be safe
// to call from any thread; both implementations here are.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "observability/trace.h"

namespace vigil::observability {

// OTLP's SpanKind values (opentelemetry/proto/trace/v1/trace.proto).
enum class SpanKind : int { internal = 1, server = 2, client = 3 };

struct SpanAttribute {
  std::string key;
  std::variant<std::string, std::int64_t> value;
};

struct Span {
  TraceContext context;  // trace_id, span_id, parent_span_id (all zero: a root span)
  std::string name;
  SpanKind kind = SpanKind::internal;
  std::int64_t start_unix_nanos = 0;
  std::int64_t end_unix_nanos = 0;
  std::vector<SpanAttribute> attributes;
  bool error = false;  // OTLP status ERROR; otherwise UNSET

  Span& attribute(std::string key, std::string value) {
    attributes.push_back({std::move(key), std::move(value)});
    return *this;
  }
  Span& attribute(std::string key, std::int64_t value) {
    attributes.push_back({std::move(key), value});
    return *this;
  }
};

class SpanSink {
 public:
  virtual ~SpanSink() = default;
  // Takes a finished span. Must never block the caller for long and never throw: it is called on
  // network and pipeline threads. A sink may drop spans (and should count what it drops).
  virtual void record(Span span) noexcept = 0;
};

class SpanClock {
 public:
  virtual ~SpanClock() = default;
  // Nanoseconds since the unix epoch (UTC).
  [[nodiscard]] virtual std::int64_t now_unix_nanos() const = 0;
};

// std::chrono::system_clock.
class SystemSpanClock final : public SpanClock {
 public:
  [[nodiscard]] std::int64_t now_unix_nanos() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // One process-wide instance for production wiring.
  static const SystemSpanClock& instance() {
    static const SystemSpanClock clock;
    return clock;
  }
};

}  // namespace vigil::observability
