#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and {name} captures:
// "/v1/alerts/{id}/acknowledge". Built once at start-up, then read concurrently without locks.
#include <boost/container/small_vector.hpp>
#include <deque>
#include <string>
#include <vector>

#include "http/types.h"

namespace vigil::http {

class Router {
 public:
  // Registers a route; a later duplicate (same method and pattern) is a programming error (throws).
  void add(Verb method, std::string pattern, Handler handler, RouteOptions options = {});

  struct Match {
    const Handler* handler = nullptr;  // null when nothing matched
    const RouteInfo* route = nullptr;  // set with handler
    PathParams params;
    // Methods that exist for this path (non-empty + no handler = 405). Inline: matching a request
    // allocates nothing for this.
    boost::container::small_vector<Verb, 4> allowed;
  };
  [[nodiscard]] Match match(Verb method, std::string_view path) const;

  // The route groups of every registered route, sorted, each once (for start-up checks and tests).
  [[nodiscard]] std::vector<std::string> groups() const;

 private:
  struct Route {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;  // "{x}" marks a capture
    Handler handler;
    RouteInfo info;
  };
  // A path's segments; inline up to 8, which every route of this API fits.
  using Parts = boost::container::small_vector<std::string_view, 8>;
  static Parts split(std::string_view path);
  static bool matches(const Route& r, const Parts& parts, PathParams* params);
  // A deque: handler and info pointers handed out by match() stay valid while routes are added.
  std::deque<Route> routes_;
};

}  // namespace vigil::http
