#pragma once
// A small incremental parser for a text/event-stream body (Server-Sent Events, WHATWG HTML
// "Parsing an event stream"), fed whatever chunks the socket delivers: a frame, a line or a CRLF
// pair may be split at any byte. (sim/sse.h is the simulator's fuller parser; loadgen comes before
// sim in the module order and cannot use it.)
//
// Lines end in CRLF, LF or CR; lines starting with ':' are comments; "field: value" loses one
// leading space; data lines are joined with '\n'; a blank line dispatches the event (none when it
// had no data line). The "id" field takes effect when its event is dispatched and persists across
// events: it is what a reconnect resumes from, so an event cut off mid-way is fetched again. "retry" and
// unknown fields are ignored. A line longer than `max_line` bytes, or an event whose data grows beyond
// `max_event`, is dropped and counted.
//
// Thread safety: none; one parser per stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::loadgen {

struct SseEvent {
  std::string id;     // the last event id in force at dispatch (may be empty)
  std::string event;  // "message" when the frame named none
  std::string data;
};

class SseParser {
 public:
  explicit SseParser(std::size_t max_line = 1 << 20, std::size_t max_event = 4 << 20)
      : max_line_(max_line), max_event_(max_event) {}

  // Parses `bytes` and appends every event it completes to `out`.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // Forgets a partial line and event (a new connection); keeps the last event id.
  void reset_stream();

  [[nodiscard]] const std::string& last_event_id() const { return last_event_id_; }
  [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

 private:
  void line_done(std::vector<SseEvent>& out);

  std::size_t max_line_;
  std::size_t max_event_;
  std::string line_;
  bool line_too_long_ = false;
  bool after_cr_ = false;  // the last line ended in CR; a following LF belongs to it
  std::string data_;
  bool has_data_ = false;
  bool event_too_large_ = false;
  std::string event_type_;
  std::string id_buffer_;
  std::string last_event_id_;
  std::uint64_t dropped_ = 0;
};

}  // namespace vigil::loadgen
