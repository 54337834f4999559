#include "loadgen/sse.h"

#include <algorithm>
#include <charconv>

namespace vigil::loadgen {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

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
  at_stream_start_ = true;
  data_.clear();
  has_data_ = false;
  event_too_large_ = false;
  event_type_.clear();
  id_buffer_ = last_event_id_;
}

void SseParser::line_done(std::vector<SseEvent>& out) {
  std::string_view line = line_;
  if (at_stream_start_) {
    at_stream_start_ = false;
    if (line.starts_with(kBom)) line.remove_prefix(kBom.size());
  }
  if (line_too_long_) {
    // The line may have been data: the event it belongs to can no longer be told whole.
    event_too_large_ = true;
  } else if (line.empty()) {
    dispatch(out);
  } else if (line.front() != ':') {
    const std::size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    field(name, value);
  }
  line_.clear();
  line_too_long_ = false;
}

void SseParser::field(std::string_view name, std::string_view value) {
  if (name == "event") {
    event_type_.assign(value);
  } else if (name == "data") {
    if (data_.size() + value.size() + 1 > max_event_) {
      event_too_large_ = true;
    } else if (!event_too_large_) {
      data_.append(value);
      data_ += '\n';
      has_data_ = true;
    }
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) id_buffer_.assign(value);
  } else if (name == "retry") {
    const bool digits = !value.empty() &&
                        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::uint64_t ms = 0;
    if (digits) {
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (ec == std::errc{}) retry_ = std::chrono::milliseconds(ms);
    }
  }
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  last_event_id_ = id_buffer_;
  if (event_too_large_) {
    ++dropped_;
  } else if (has_data_) {
    data_.pop_back();  // the '\n' after the last data line
    out.push_back(SseEvent{last_event_id_, event_type_.empty() ? "message" : event_type_, std::move(data_)});
  }
  data_.clear();
  has_data_ = false;
  event_too_large_ = false;
  event_type_.clear();
}

}  // namespace vigil::loadgen
