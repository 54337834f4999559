#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header that ties
// one request's work together across services, plus request ids for log correlation.
//
// Ids come from a per-thread xoshiro256** generator seeded once from std::random_device. They only
// need to be unique, not unpredictable: never use them as secrets or tokens.
//
// Thread safety: all functions may be called from any thread; TraceContext is a plain value.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::observability {

struct TraceContext {
  std::array<std::uint8_t, 16> trace_id{};
  std::array<std::uint8_t, 8> span_id{};         // this hop's span
  std::array<std::uint8_t, 8> parent_span_id{};  // all zero for a root span
  std::uint8_t flags = 0;                        // bit 0: sampled; other bits kept as received

  [[nodiscard]] bool sampled() const { return (flags & 0x01) != 0; }
  [[nodiscard]] bool is_root() const;
  [[nodiscard]] std::string trace_id_hex() const;
  [[nodiscard]] std::string span_id_hex() const;
  [[nodiscard]] std::string parent_span_id_hex() const;
  // "00-<trace id>-<span id>-<flags>": what to send downstream, naming this hop as the parent.
  [[nodiscard]] std::string traceparent() const;
};

// Parses an incoming header and starts this hop's span: the result's parent_span_id is the header's
// parent id and its span_id is new. Returns nullopt for anything the spec says to ignore (then start
// a new trace): uppercase or non-hex digits, wrong lengths, all-zero ids, version ff. Versions above
// 00 are read by the 00 layout when at least 55 characters long and, if longer, followed by '-'.
std::optional<TraceContext> parse_traceparent(std::string_view header);

// A root span of a new trace, sampled.
TraceContext new_trace();

// A span of the same trace whose parent is `parent`'s span; flags are inherited.
TraceContext child(const TraceContext& parent);

// The span a traceparent we made names: its id is the header's span id (the one parse_traceparent
// reads as a parent), with no parent of its own. For this hop's own traceparent
// (RequestContext::traceparent), that is the request's SERVER span. nullopt when it does not parse.
std::optional<TraceContext> span_named_by(std::string_view traceparent);

// 16 random bytes as 32 lowercase hex characters (not a UUID: no version nibble, no dashes).
std::string new_request_id();

}  // namespace vigil::observability
