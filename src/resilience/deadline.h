#pragma once
// Request deadlines: parsing the client's timeout, combining it with the route's, and a cheap
// value that answers "how long is left".
//
// Clients may send `X-Request-Timeout-Ms: <ms>` (a positive integer of milliseconds, at most 24 h)
// or gRPC's `grpc-timeout: <1-8 digits><unit>` (H, M, S, m, u, n: hours, minutes, seconds, milli-,
// micro-, nanoseconds; gRPC over HTTP/2 protocol spec). A client can only shorten the route's
// timeout, never lengthen it.
//
// Thread safety: the functions are pure; a Deadline is an immutable value, safe to copy and read
// from any thread while its Ticker lives.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/ticker.h"

namespace vigil::resilience {

struct TimeoutParse {
  std::optional<std::chrono::milliseconds> value;  // set when the input is valid
  std::string error;                               // non-empty when the input is malformed

  [[nodiscard]] bool ok() const { return error.empty(); }
};

// X-Request-Timeout-Ms. Surrounding spaces and tabs are ignored; zero, signs, non-digits and
// values above 24 h are errors.
TimeoutParse parse_request_timeout_ms(std::string_view header_value);

// grpc-timeout. Zero, more than 8 digits, a missing or unknown unit are errors. Sub-millisecond
// values round up to whole milliseconds (1n is 1 ms), so a deadline is never earlier than asked.
TimeoutParse parse_grpc_timeout(std::string_view header_value);

// min(route_default, client), or route_default when the client sent none.
std::chrono::milliseconds effective_timeout(std::chrono::milliseconds route_default,
                                            std::optional<std::chrono::milliseconds> client);

class Deadline {
 public:
  Deadline(const Ticker& ticker, Nanos at) : ticker_(&ticker), at_(at) {}
  static Deadline after(const Ticker& ticker, std::chrono::milliseconds timeout) {
    return Deadline(ticker, ticker.now() + timeout);
  }

  [[nodiscard]] bool expired() const { return ticker_->now() >= at_; }
  // Time left, never negative.
  [[nodiscard]] Nanos remaining() const {
    const Nanos left = at_ - ticker_->now();
    return left > Nanos(0) ? left : Nanos(0);
  }
  // The ticker time it expires at.
  [[nodiscard]] Nanos at() const { return at_; }

 private:
  const Ticker* ticker_;  // not owned
  Nanos at_;
};

}  // namespace vigil::resilience
