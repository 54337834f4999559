#include "common/clock.h"

#include <fmt/format.h>

#include <cctype>
#include <iterator>

namespace vigil {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

ScaledClock::ScaledClock(TimePoint origin, double speed)
    : origin_(origin), real_start_(std::chrono::steady_clock::now()), speed_(speed) {}

TimePoint ScaledClock::now() const {
  const auto real = std::chrono::steady_clock::now() - real_start_;
  const auto sim_ms = std::chrono::duration<double, std::milli>(real).count() * speed_;
  return origin_ + Duration(static_cast<std::int64_t>(sim_ms));
}

namespace {

// Reads exactly `n` digits at `pos`; no library parses RFC 3339 in libstdc++ 12 (std::chrono::parse
// arrived in g++ 14), and this grammar is small enough to check by hand.
bool digits(std::string_view s, std::size_t& pos, int n, int& out) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

bool parse_rfc3339(std::string_view s, TimePoint& out) {
  using namespace std::chrono;
  std::size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, p, 4, y) || !expect(s, p, '-') || !digits(s, p, 2, mo) || !expect(s, p, '-') ||
      !digits(s, p, 2, d))
    return false;
  if (p >= s.size() || (s[p] != 'T' && s[p] != 't')) return false;
  ++p;
  if (!digits(s, p, 2, h) || !expect(s, p, ':') || !digits(s, p, 2, mi) || !expect(s, p, ':') ||
      !digits(s, p, 2, sec))
    return false;
  int millis = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    int scale = 100, n = 0;
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p])) != 0) {
      millis += (s[p] - '0') * scale;
      scale /= 10;
      ++p;
      ++n;
    }
    if (n == 0) return false;
  }
  int offset_min = 0;
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p] == '-' ? -1 : 1;
    ++p;
    int oh = 0, om = 0;
    if (!digits(s, p, 2, oh) || !expect(s, p, ':') || !digits(s, p, 2, om) || oh > 23 || om > 59)
      return false;
    offset_min = sign * (oh * 60 + om);
  } else {
    return false;
  }
  if (p != s.size()) return false;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return false;  // 60: a leap second, folded below
  out = time_point_cast<Duration>(sys_days{ymd}) + hours{h} + minutes{mi} + seconds{std::min(sec, 59)} +
        milliseconds{millis} - minutes{offset_min};
  return true;
}

namespace {

// Writes `value` as exactly `width` decimal digits ending just before `end`; returns the start.
char* put_digits(char* end, unsigned value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return end;
}

}  // namespace

void append_rfc3339(TimePoint t, std::string& out) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {  // outside RFC 3339's four-digit years: rare, so fmt is fine
    fmt::format_to(std::back_inserter(out), "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", year,
                   static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                   hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
    return;
  }
  char text[] = "0000-00-00T00:00:00.000Z";
  put_digits(text + 4, static_cast<unsigned>(year), 4);
  put_digits(text + 7, static_cast<unsigned>(ymd.month()), 2);
  put_digits(text + 10, static_cast<unsigned>(ymd.day()), 2);
  put_digits(text + 13, static_cast<unsigned>(hms.hours().count()), 2);
  put_digits(text + 16, static_cast<unsigned>(hms.minutes().count()), 2);
  put_digits(text + 19, static_cast<unsigned>(hms.seconds().count()), 2);
  put_digits(text + 23, static_cast<unsigned>(hms.subseconds().count()), 3);
  out.append(text, sizeof(text) - 1);
}

std::string format_rfc3339(TimePoint t) {
  std::string out;
  out.reserve(24);
  append_rfc3339(t, out);
  return out;
}

}  // namespace vigil
