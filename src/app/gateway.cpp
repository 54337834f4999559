#include "app/gateway.h"

#include "common/ticker.h"
#include "middleware/access_log.h"
#include "middleware/body_limit.h"
#include "middleware/caps.h"
#include "middleware/deadline.h"
#include "middleware/http_metrics.h"
#include "middleware/rate_limit.h"
#include "middleware/request_id.h"
#include "middleware/shedding.h"

namespace vigil::app {

Gateway::Gateway(GatewayDeps d) : refused_(d.metrics) {
  const auto& c = d.config;
  const auto& ticker = SteadyTicker::instance();
  const std::chrono::milliseconds retry_after = c.intake.retry_after;
  chain_.add(std::make_unique<middleware::RequestIdLink>())
      .add(std::make_unique<middleware::AccessLogLink>(d.spans))
      .add(std::make_unique<middleware::MetricsLink>(d.metrics))
      .add(std::make_unique<middleware::CapsLink>(
          middleware::CapsOptions{c.limits.max_connections, c.limits.max_in_flight, retry_after},
          std::move(d.open_connections), refused_));
  if (c.rate_limits.enabled) {
    limiter_ = std::make_unique<resilience::LocalRateLimiter>(ticker, c.rate_limits.max_keys);
    std::map<std::string, resilience::RateLimit> groups;
    for (const auto& [name, g] : c.rate_limits.groups) groups[name] = resilience::RateLimit{g.rate, g.burst};
    chain_.add(std::make_unique<middleware::RateLimitLink>(*limiter_, std::move(groups), refused_));
  }
  if (c.shedding.enabled) {
    resilience::ProcCpuOptions cpu_options;
    if (c.shedding.cpu_source == "system") {
      cpu_options.whole_machine = true;
      cpu_options.stat_path = "/proc/stat";
    }
    cpu_ = std::make_unique<resilience::ProcCpuUsage>(ticker, cpu_options);
    cpu_->start();
    shedder_ = std::make_unique<resilience::AdaptiveShedder>(
        resilience::ShedderOptions{c.shedding.window, c.shedding.buckets, c.shedding.cpu_threshold,
                                   c.shedding.cool_off, c.shedding.read_share,
                                   static_cast<double>(c.shedding.min_in_flight)},
        ticker, *cpu_);
    d.metrics.gauge_callback("vigil_shedder_cpu_ratio", "Smoothed CPU use the load shedder sees (0..1)",
                             [cpu = cpu_.get()] { return cpu->usage(); });
    d.metrics.gauge_callback("vigil_shedder_max_in_flight",
                             "Requests in flight the shedder estimates the node sustains (Little's law)",
                             [s = shedder_.get()] { return s->stats().max_flight; });
    chain_.add(std::make_unique<middleware::SheddingLink>(*shedder_, retry_after, refused_));
  }
  std::map<std::string, std::chrono::milliseconds> deadlines(c.deadlines.groups.begin(), c.deadlines.groups.end());
  deadlines.try_emplace("default", std::chrono::seconds(10));
  chain_.add(std::make_unique<middleware::DeadlineLink>(std::move(deadlines)))
      .add(std::make_unique<middleware::AuthenticationLink>(d.jwt, std::move(d.devices), d.blocking,
                                                            std::move(d.on_auth_failure), refused_))
      .add(std::make_unique<middleware::BodyLimitLink>(refused_));
}

Gateway::~Gateway() {
  if (cpu_) cpu_->stop();
}

}  // namespace vigil::app
