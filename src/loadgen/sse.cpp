#include "loadgen/sse.h"

namespace vigil::loadgen {

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  while (!bytes.empty()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
        continue;
      }
    }
    const std::size_t end = bytes.find_first_of("\r\n");
    const std::string_view part = bytes.substr(0, end);
    if (line_.size() + part.size() > max_line_) {
      line_too_long_ = true;
    } else if (!line_too_long_) {
      line_.append(part);
    }
    if (end == std::string_view::npos) return;
    after_cr_ = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
    line_done(out);
  }
}

void SseParser::reset_stream() {
  line_.clear();
  line_too_long_ = false;
  after_cr_ = false;
  data_.clear();
  has_data_ = false;
  event_too_large_ = false;
  event_type_.clear();
  id_buffer_ = last_event_id_;
}

void SseParser::line_done(std::vector<SseEvent>& out) {
  const std::string_view line = line_;
  if (line_too_long_) {
    // It may have been a data line: the event can no longer be told whole.
    event_too_large_ = true;
  } else if (line.empty()) {
    // The id becomes the resume point only now, so an event cut off mid-way is fetched again.
    last_event_id_ = id_buffer_;
    if (event_too_large_) {
      ++dropped_;
    } else if (has_data_) {
      out.push_back({last_event_id_, event_type_.empty() ? "message" : event_type_, data_});
    }
    data_.clear();
    has_data_ = false;
    event_too_large_ = false;
    event_type_.clear();
  } else if (line.front() != ':') {
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (name == "event") {
      event_type_.assign(value);
    } else if (name == "data") {
      if (data_.size() + value.size() + 1 > max_event_) {
        event_too_large_ = true;
      } else if (!event_too_large_) {
        if (has_data_) data_ += '\n';
        data_.append(value);
        has_data_ = true;
      }
    } else if (name == "id" && value.find('\0') == std::string_view::npos) {
      id_buffer_.assign(value);
    }
  }
  line_.clear();
  line_too_long_ = false;
}

}  // namespace vigil::loadgen
