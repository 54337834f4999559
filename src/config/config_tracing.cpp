// The tracing section: span export to an OpenTelemetry collector over OTLP/HTTP JSON.
#include "config/reader.h"

namespace vigil::config::detail {
namespace {

using std::chrono::milliseconds;

// Why `url` is not "http://HOST:PORT[/PATH]", or "" when it is. The exporter parses the same shape;
// checking here turns a typo into a FILE:LINE:COL error at start-up instead of a warning later.
std::string endpoint_problem(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://"))
    return "only http:// is supported (for TLS, export through a local collector)";
  if (!url.starts_with(kScheme)) return "must be http://HOST:PORT/PATH";
  const std::string rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos && rest.find_first_of("?#", slash) != std::string::npos) {
    return "must not have a query or fragment";
  }
  if (authority.find('@') != std::string::npos) return "must not carry credentials";
  const bool bracketed = authority.starts_with('[');  // an IPv6 address
  const auto colon = bracketed ? authority.find("]:") : authority.find(':');
  if (colon == std::string::npos || colon <= (bracketed ? 1U : 0U)) return "must be http://HOST:PORT/PATH";
  const std::string port = authority.substr(authority.find(':', colon) + 1);
  const bool digits =
      !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoul(port) < 1 || std::stoul(port) > 65535) return "port must be 1-65535";
  return "";
}

}  // namespace

void read_tracing(const Reader& r, const YAML::Node& node, TracingConfig& c) {
  r.section(node, "tracing",
            {"otlp_endpoint", "service_name", "queue_size", "batch_size", "flush_interval", "timeout"},
            [&](const std::string& k, const YAML::Node& v) {
              if (k == "otlp_endpoint") {
                c.otlp_endpoint = r.string(v, "tracing.otlp_endpoint");
                const auto problem =
                    c.otlp_endpoint.empty() ? std::string() : endpoint_problem(c.otlp_endpoint);
                if (!problem.empty()) r.fail(v, "'tracing.otlp_endpoint' " + problem);
              }
              if (k == "service_name") {
                c.service_name = r.string(v, "tracing.service_name");
                if (c.service_name.empty()) r.fail(v, "'tracing.service_name' must not be empty");
              }
              if (k == "queue_size")
                c.queue_size = r.integer<std::size_t>(v, "tracing.queue_size", 1, 10'000'000);
              if (k == "batch_size")
                c.batch_size = r.integer<std::size_t>(v, "tracing.batch_size", 1, 100'000);
              if (k == "flush_interval") {
                c.flush_interval =
                    r.duration(v, "tracing.flush_interval", milliseconds(1), std::chrono::minutes(10));
              }
              if (k == "timeout")
                c.timeout = r.duration(v, "tracing.timeout", milliseconds(1), std::chrono::minutes(10));
            });
}

}  // namespace vigil::config::detail
