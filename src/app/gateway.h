#pragma once
// The middleware chain in front of every route, built from the configuration in the documented
// order (docs/operations.md, "Middleware chain"):
//   request-id -> access-log -> metrics -> caps -> rate-limit -> load-shedding -> deadline ->
//   authentication -> body-limit -> handler (inside the server's exception guard)
// Identity and observation come first so every refusal is logged, counted and carries ids; the
// cheap refusals (caps, rate limit, shedding) come before any work, in order of cost; the deadline
// is set before authentication because a device-key lookup may wait on the store; the body limit
// comes last so an anonymous client learns nothing about routes.
//
// Ownership: Gateway owns the links and the state they share (limiter, shedder, CPU sampler,
// counters); it must outlive the server that runs its chain.
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>

#include "auth/jwt.h"
#include "config/config.h"
#include "http/middleware.h"
#include "middleware/authentication.h"
#include "middleware/refusal.h"
#include "observability/metrics.h"
#include "observability/span.h"
#include "resilience/cpu_usage.h"
#include "resilience/rate_limiter.h"
#include "resilience/shedder.h"

namespace vigil::app {

struct GatewayDeps {
  const config::Config& config;
  observability::MetricsRegistry& metrics;
  const auth::JwtVerifier& jwt;
  std::shared_ptr<const middleware::DeviceKeyDirectory> devices;
  boost::asio::thread_pool& blocking;
  std::function<std::size_t()> open_connections;
  middleware::AuthFailureSink on_auth_failure;
  observability::SpanSink* spans = nullptr;  // tracing export: the access log's server spans; null: off
};

class Gateway {
 public:
  explicit Gateway(GatewayDeps deps);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  [[nodiscard]] const http::Chain& chain() const { return chain_; }

 private:
  middleware::RefusalCounters refused_;
  std::unique_ptr<resilience::LocalRateLimiter> limiter_;
  std::unique_ptr<resilience::ProcCpuUsage> cpu_;
  std::unique_ptr<resilience::AdaptiveShedder> shedder_;
  http::Chain chain_;
};

}  // namespace vigil::app
