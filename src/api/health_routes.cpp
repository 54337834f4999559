// GET /healthz (the process answers) and GET /readyz (it can take traffic: started and not
// draining; it also reports how far processing is behind intake). Both stay open without authentication so
// load balancers and orchestrators can probe them.
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "http/problem.h"

namespace vigil::api::detail {

void add_health_routes(http::Router& router, const ApiDeps& deps) {
  router.add(http::Verb::get, "/healthz",
             [](http::RequestContext&) -> boost::asio::awaitable<std::optional<http::Response>> {
               co_return http::json_response(http::Status::ok, boost::json::object{{"status", "ok"}});
             },
             http::RouteOptions{.group = "health", .open = true});
  router.add(http::Verb::get, "/readyz",
             [deps](http::RequestContext& ctx) -> boost::asio::awaitable<std::optional<http::Response>> {
               const Readiness r = deps.readiness ? deps.readiness() : Readiness{};
               const bool ready = r.ready && !ctx.draining.load();
               boost::json::object body{
                   {"status", ready ? "ready" : "not-ready"},
                   {"draining", ctx.draining.load()},
                   {"log_last_seq", r.log_last_seq},
                   {"processed_seq", r.processed_seq},
                   {"processing_lag", r.log_last_seq - std::min(r.log_last_seq, r.processed_seq)}};
               co_return http::json_response(ready ? http::Status::ok : http::Status::service_unavailable,
                                             body);
             },
             http::RouteOptions{.group = "health", .open = true});
}

}  // namespace vigil::api::detail
