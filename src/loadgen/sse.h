#pragma once
// An incremental parser for a text/event-stream body (Server-Sent Events, WHATWG HTML "Parsing an
// event stream"), fed with whatever chunks the network delivers: a frame, a line or a CRLF pair may
// be split anywhere.
//
// Follows the standard: lines end in CRLF, LF or CR; a leading BOM is skipped; lines starting with
// ':' are comments; "field: value" loses one leading space; data lines are joined with '\n'; a blank
// line dispatches the event (none when no data line was seen, but an id still counts); "id" without
// NUL sets the id buffer, which becomes the last event id when the event is dispatched and
// persists across events (so an event cut off mid-way never counts as received); "retry" takes
// digits only; unknown fields are ignored.
//
// Bounded memory: a line longer than `max_line` bytes, or an event whose data grows beyond
// `max_event` bytes, is dropped (counted in dropped()), and parsing resumes at the next line or event.
//
// Shared by the load generator (alert-latency scenario) and the demo simulator (sim/alert_watch.h).
//
// Thread safety: none; one parser per stream.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::loadgen {

struct SseEvent {
  std::string id;     // the last event id in force when it was dispatched (may be empty)
  std::string event;  // "message" when the frame named none
  std::string data;
};

class SseParser {
 public:
  explicit SseParser(std::size_t max_line = 1 << 20, std::size_t max_event = 4 << 20)
      : max_line_(max_line), max_event_(max_event) {}

  // Parses `bytes` and appends every event it completes to `out`.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);

  [[nodiscard]] const std::string& last_event_id() const { return last_event_id_; }
  [[nodiscard]] std::optional<std::chrono::milliseconds> retry() const { return retry_; }
  [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

  // Forgets a partial line and event (for a new connection); keeps the last dispatched event id
  // and the retry.
  void reset_stream();

 private:
  void line_done(std::vector<SseEvent>& out);
  void field(std::string_view name, std::string_view value);
  void dispatch(std::vector<SseEvent>& out);

  std::size_t max_line_;
  std::size_t max_event_;
  std::string line_;
  bool line_too_long_ = false;
  bool after_cr_ = false;  // the previous byte ended a line with CR; a following LF is part of it
  bool at_stream_start_ = true;
  std::string data_;
  bool has_data_ = false;
  bool event_too_large_ = false;
  std::string event_type_;
  std::string id_buffer_;
  std::string last_event_id_;
  std::optional<std::chrono::milliseconds> retry_;
  std::uint64_t dropped_ = 0;
};

}  // namespace vigil::loadgen
