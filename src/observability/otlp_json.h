#pragma once
// The OTLP/HTTP JSON body for a batch of spans (an ExportTraceServiceRequest in the protobuf JSON
// mapping, https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): one resourceSpans
// entry naming the service, one scopeSpans entry with scope "vigil". Trace and span ids are
// lowercase hex (not base64, as OTLP requires); 64-bit integers (times, intValue) are decimal
// strings, as the protobuf JSON mapping writes int64; parentSpanId is left out for root spans.
//
// Pure function; safe from any thread.
#include <span>
#include <string>
#include <string_view>

#include "observability/span.h"

namespace vigil::observability {

std::string encode_otlp_json(std::span<const Span> spans, std::string_view service_name);

}  // namespace vigil::observability
