#include "observability/otlp_exporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "common/thread_name.h"
#include "observability/otlp_http.h"
#include "observability/otlp_json.h"

namespace vigil::observability {
namespace {

OtlpExporterOptions checked(OtlpExporterOptions options) {
  std::string error;
  if (!parse_http_endpoint(options.endpoint, &error)) {
    throw std::invalid_argument("OTLP endpoint '" + options.endpoint + "' " + error);
  }
  if (options.queue_size == 0 || options.batch_size == 0) {
    throw std::invalid_argument("OTLP exporter: queue_size and batch_size must be at least 1");
  }
  return options;
}

}  // namespace

OtlpExporter::OtlpExporter(OtlpExporterOptions options, const Ticker& ticker)
    : options_(checked(std::move(options))),
      ticker_(ticker),
      client_(std::make_unique<OtlpHttpClient>(*parse_http_endpoint(options_.endpoint))) {}

OtlpExporter::~OtlpExporter() {
  stop();
}

void OtlpExporter::start() {
  if (stopped_ || thread_.joinable()) return;
  (void)spdlog::default_logger_raw();  // created before the thread logs (see Processor::start)
  thread_ = std::thread([this] {
    name_this_thread("vigil-otlp");
    run();
  });
}

void OtlpExporter::record(Span span) noexcept {
  bool batch_ready = false;
  {
    const std::lock_guard lock(mu_);
    if (stopping_) {
      ++stats_.dropped_at_shutdown;
      return;
    }
    if (queue_.size() >= options_.queue_size) {
      ++stats_.dropped_queue_full;
      return;
    }
    try {
      queue_.push_back(std::move(span));
    } catch (...) {  // out of memory: a span is not worth failing the caller for
      ++stats_.dropped_queue_full;
      return;
    }
    ++stats_.recorded;
    // Waking once per batch is enough: the thread looks at the queue again after every send.
    batch_ready = queue_.size() == options_.batch_size;
  }
  if (batch_ready) wake_.notify_one();
}

void OtlpExporter::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
    return;
  }
  const std::lock_guard lock(mu_);  // never started: nothing will send what is queued
  stats_.dropped_at_shutdown += queue_.size();
  queue_.clear();
}

OtlpExporterStats OtlpExporter::stats() const {
  const std::lock_guard lock(mu_);
  return stats_;
}

std::vector<Span> OtlpExporter::take_batch() {
  const auto n = std::min(queue_.size(), options_.batch_size);
  std::vector<Span> batch(std::make_move_iterator(queue_.begin()),
                          std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  return batch;
}

void OtlpExporter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, options_.flush_interval,
                   [&] { return stopping_ || queue_.size() >= options_.batch_size; });
    if (stopping_) break;
    if (queue_.empty()) continue;
    auto batch = take_batch();
    lock.unlock();
    send(std::move(batch), options_.timeout);
    lock.lock();
  }
  // Flush within the grace; a collector that fails now gets no more tries.
  const auto deadline = ticker_.now() + options_.shutdown_grace;
  while (!queue_.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - ticker_.now());
    if (left <= std::chrono::milliseconds::zero()) break;
    auto batch = take_batch();
    lock.unlock();
    const bool sent = send(std::move(batch), std::min(options_.timeout, left));
    lock.lock();
    if (!sent) break;
  }
  stats_.dropped_at_shutdown += queue_.size();
  queue_.clear();
}

bool OtlpExporter::send(std::vector<Span> batch, std::chrono::milliseconds timeout) {
  PostResult result;
  try {
    result = client_->post(encode_otlp_json(batch, options_.service_name), timeout);
  } catch (const std::exception& e) {  // allocation failure while encoding
    result.error = e.what();
  }
  {
    const std::lock_guard lock(mu_);
    if (result.ok) {
      stats_.exported += batch.size();
    } else {
      ++stats_.failed_batches;
      stats_.failed_spans += batch.size();
    }
  }
  if (!result.ok) {
    ++failures_since_warning_;
    const auto now = ticker_.now();
    if (!warned_ || now - last_warning_ >= options_.warn_interval) {
      spdlog::warn(
          "otlp: {} batch(es) of spans dropped since the last warning: the collector at {} did not "
          "take them (latest: {}, {} spans)",
          failures_since_warning_, options_.endpoint, result.error, batch.size());
      warned_ = true;
      last_warning_ = now;
      failures_since_warning_ = 0;
    }
  }
  return result.ok;
}

}  // namespace vigil::observability
