#include "observability/otlp_json.h"

#include <boost/json.hpp>

namespace vigil::observability {
namespace {

namespace json = boost::json;

json::object attribute(std::string_view key, const std::variant<std::string, std::int64_t>& value) {
  json::object v;
  if (const auto* s = std::get_if<std::string>(&value)) {
    v["stringValue"] = *s;
  } else {
    v["intValue"] = std::to_string(std::get<std::int64_t>(value));
  }
  return json::object{{"key", key}, {"value", std::move(v)}};
}

json::object encode_span(const Span& span) {
  json::object out;
  out["traceId"] = span.context.trace_id_hex();
  out["spanId"] = span.context.span_id_hex();
  if (!span.context.is_root()) out["parentSpanId"] = span.context.parent_span_id_hex();
  out["name"] = span.name;
  out["kind"] = static_cast<int>(span.kind);
  out["startTimeUnixNano"] = std::to_string(span.start_unix_nanos);
  out["endTimeUnixNano"] = std::to_string(span.end_unix_nanos);
  json::array attributes;
  for (const auto& a : span.attributes) attributes.push_back(attribute(a.key, a.value));
  out["attributes"] = std::move(attributes);
  // STATUS_CODE_ERROR = 2; UNSET = 0 lets the collector apply its own defaults.
  out["status"] = json::object{{"code", span.error ? 2 : 0}};
  return out;
}

}  // namespace

std::string encode_otlp_json(std::span<const Span> spans, std::string_view service_name) {
  json::array encoded;
  encoded.reserve(spans.size());
  for (const auto& span : spans) encoded.push_back(encode_span(span));
  json::object resource{{"attributes", json::array{attribute("service.name", std::string(service_name))}}};
  json::object scope_spans{{"scope", json::object{{"name", "vigil"}}}, {"spans", std::move(encoded)}};
  json::object resource_spans{{"resource", std::move(resource)},
                              {"scopeSpans", json::array{std::move(scope_spans)}}};
  return json::serialize(json::object{{"resourceSpans", json::array{std::move(resource_spans)}}});
}

}  // namespace vigil::observability
