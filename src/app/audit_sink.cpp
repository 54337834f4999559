#include "app/audit_sink.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <string>

#include "observability/log_context.h"

namespace vigil::app {

AuditSink::AuditSink(store::RegistryStore& store, boost::asio::thread_pool& pool,
                     observability::MetricsRegistry& metrics, std::size_t max_pending)
    : store_(store),
      pool_(pool),
      max_pending_(max_pending),
      written_(metrics.counter("vigil_audit_records_total", "Audit records written from the request path").with({})),
      dropped_(metrics
                   .counter("vigil_audit_dropped_total",
                            "Audit records dropped because too many were waiting to be written")
                   .with({})) {}

void AuditSink::record(store::AuditEntry entry) {
  const auto ids = observability::current_log_ids();
  if (pending_.fetch_add(1) >= max_pending_) {
    pending_.fetch_sub(1);
    dropped_.inc();
    spdlog::error("audit record dropped (more than {} waiting): action={} entity={}/{}", max_pending_, entry.action,
                  entry.entity_type, entry.entity_id);
    return;
  }
  boost::asio::post(pool_, [this, entry = std::move(entry), request_id = std::string(ids.request_id),
                            trace_id = std::string(ids.trace_id)] {
    try {
      store_.append_audit(entry);
      written_.inc();
    } catch (const std::exception& e) {
      dropped_.inc();
      const observability::LogScope scope(request_id, trace_id);
      spdlog::error("audit record not written: action={} entity={}/{}: {}", entry.action, entry.entity_type,
                    entry.entity_id, e.what());
    }
    pending_.fetch_sub(1);
  });
}

}  // namespace vigil::app
