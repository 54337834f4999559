#include "http/router.h"

#include <algorithm>
#include <stdexcept>

namespace vigil::http {

Router::Parts Router::split(std::string_view path) {
  Parts parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) parts.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

void Router::add(Verb method, std::string pattern, Handler handler, RouteOptions options) {
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) throw std::logic_error("duplicate route " + pattern);
  }
  Route r{method, pattern, {}, std::move(handler), RouteInfo{pattern, std::move(options)}};
  for (auto part : split(pattern)) r.segments.emplace_back(part);
  routes_.push_back(std::move(r));
}

std::vector<std::string> Router::groups() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) out.push_back(r.info.options.group);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Router::matches(const Route& r, const Parts& parts, PathParams* params) {
  if (r.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = r.segments[i];
    const bool capture = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (!capture && seg != parts[i]) return false;
  }
  if (params != nullptr) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = r.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        params->values.emplace_back(seg.substr(1, seg.size() - 2), std::string(parts[i]));
      }
    }
  }
  return true;
}

Router::Match Router::match(Verb method, std::string_view path) const {
  Match m;
  const auto parts = split(path);
  for (const auto& r : routes_) {
    if (!matches(r, parts, nullptr)) continue;
    if (r.method == method && m.handler == nullptr) {
      m.handler = &r.handler;
      m.route = &r.info;
      matches(r, parts, &m.params);
    }
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end())
      m.allowed.push_back(r.method);
  }
  return m;
}

}  // namespace vigil::http
