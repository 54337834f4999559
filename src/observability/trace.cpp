#include "observability/trace.h"

#include <algorithm>
#include <random>
#include <span>

#include "common/hex.h"

namespace vigil::observability {
namespace {

// xoshiro256** (Blackman & Vigna): fast, 256 bits of state, no lock needed per thread.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    // splitmix64 spreads the seed so that no state word is zero even for a weak random_device.
    std::uint64_t seed = (std::uint64_t{device()} << 32) ^ device();
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

// Fills `out` with random bytes, never all zero (an all-zero id is invalid in Trace Context).
void fill_random(std::span<std::uint8_t> out) {
  thread_local Xoshiro256 rng;
  do {
    for (std::size_t i = 0; i < out.size(); i += 8) {
      std::uint64_t word = rng.next();
      for (std::size_t j = i; j < out.size() && j < i + 8; ++j, word >>= 8)
        out[j] = static_cast<std::uint8_t>(word);
    }
  } while (std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase is invalid by the spec
}

// Decodes exactly out.size()*2 lowercase hex characters.
bool from_hex(std::string_view text, std::span<std::uint8_t> out) {
  if (text.size() != out.size() * 2) return false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(text[2 * i]);
    const int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

template <std::size_t N>
bool all_zero(const std::array<std::uint8_t, N>& id) {
  return std::all_of(id.begin(), id.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

bool TraceContext::is_root() const {
  return all_zero(parent_span_id);
}
std::string TraceContext::trace_id_hex() const {
  return to_hex(trace_id);
}
std::string TraceContext::span_id_hex() const {
  return to_hex(span_id);
}
std::string TraceContext::parent_span_id_hex() const {
  return to_hex(parent_span_id);
}

std::string TraceContext::traceparent() const {
  // One allocation: this runs for every request (the request-id link).
  const std::array<std::uint8_t, 1> flag_byte{flags};
  std::string out;
  out.reserve(55);
  out += "00-";
  append_hex(out, trace_id);
  out += '-';
  append_hex(out, span_id);
  out += '-';
  append_hex(out, flag_byte);
  return out;
}

std::optional<TraceContext> parse_traceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55.
  constexpr std::size_t kLength = 55;
  if (header.size() < kLength) return std::nullopt;
  std::array<std::uint8_t, 1> version{};
  if (!from_hex(header.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  if (version[0] == 0x00 ? header.size() != kLength : (header.size() > kLength && header[kLength] != '-')) {
    return std::nullopt;
  }
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  TraceContext ctx;
  std::array<std::uint8_t, 1> flags{};
  if (!from_hex(header.substr(3, 32), ctx.trace_id) || !from_hex(header.substr(36, 16), ctx.parent_span_id) ||
      !from_hex(header.substr(53, 2), flags)) {
    return std::nullopt;
  }
  if (all_zero(ctx.trace_id) || all_zero(ctx.parent_span_id)) return std::nullopt;
  ctx.flags = flags[0];
  fill_random(ctx.span_id);
  return ctx;
}

TraceContext new_trace() {
  TraceContext ctx;
  fill_random(ctx.trace_id);
  fill_random(ctx.span_id);
  ctx.flags = 0x01;
  return ctx;
}

TraceContext child(const TraceContext& parent) {
  TraceContext ctx;
  ctx.trace_id = parent.trace_id;
  ctx.parent_span_id = parent.span_id;
  ctx.flags = parent.flags;
  fill_random(ctx.span_id);
  return ctx;
}

std::optional<TraceContext> span_named_by(std::string_view traceparent) {
  const auto parsed = parse_traceparent(traceparent);
  if (!parsed) return std::nullopt;
  TraceContext span;
  span.trace_id = parsed->trace_id;
  span.span_id = parsed->parent_span_id;
  span.flags = parsed->flags;
  return span;
}

std::string new_request_id() {
  std::array<std::uint8_t, 16> bytes{};
  fill_random(bytes);
  return to_hex(bytes);
}

}  // namespace vigil::observability
