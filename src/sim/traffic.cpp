#include "sim/traffic.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>

#include "sim/physiology.h"

namespace vigil::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using steady = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// How often the producer looks at the simulated clock: 100 times a second keeps every reading
// within 10 ms of real time (0.6 simulated seconds at speed 60).
constexpr auto kTick = std::chrono::milliseconds(10);
constexpr auto kFirstBackoff = std::chrono::milliseconds(50);
constexpr auto kMaxBackoff = std::chrono::seconds(2);
constexpr auto kDefaultRetryAfter = std::chrono::seconds(1);
constexpr auto kMaxRetryAfter = std::chrono::seconds(30);
constexpr std::uint64_t kMaxAnswerBody = 1 << 20;
// Patients with a partial batch at once. A patient's sets are seconds apart in real time at the
// demo's rates, so most batches hold one set and leave by their deadline; beyond this many the
// oldest leaves early, which bounds the held observations to kMaxOpenBatches * batch_size.
constexpr std::size_t kMaxOpenBatches = 256;
const Header kNoCredential;

// Records an exception escaping a coroutine: a bug, reported in the summary rather than lost.
auto keep_failure(RunState& state) {
  return [&state](const std::exception_ptr& e) {
    if (!e) return;
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    std::lock_guard lock(state.mutex);
    if (state.stats.io_failure.empty()) state.stats.io_failure = "simulator traffic: " + what;
  };
}

}  // namespace

http::request<http::string_body> json_post(const std::string& target, const std::string& host,
                                           const Header& credential, std::string body) {
  http::request<http::string_body> req;
  req.method(http::verb::post);
  req.target(target);
  req.version(11);
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "vigil-sim");
  if (!credential.first.empty()) req.set(credential.first, credential.second);
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

Traffic::Traffic(asio::io_context& io, const Plan& plan, const Clock& clock, asio::ip::tcp::endpoint endpoint,
                 TrafficOptions options, RunState& state, std::uint64_t id_seed)
    : io_(io),
      plan_(plan),
      clock_(clock),
      endpoint_(endpoint),
      options_(std::move(options)),
      state_(state),
      max_queued_(4 * std::max(1U, options_.connections)),
      ids_(id_seed),
      vitals_(vitals_schedule(plan)),
      diaries_(diary_schedule(plan)),
      batches_(options_.batch_size, options_.flush_after, kMaxOpenBatches),
      tick_(io),
      wake_(io) {
  wake_.expires_at(asio::steady_timer::time_point::max());
  for (unsigned i = 0; i < std::max(1U, options_.connections); ++i) {
    connections_.push_back(std::make_unique<Connection>(io));
  }
}

void Traffic::start() {
  asio::co_spawn(io_, produce(), keep_failure(state_));
  for (auto& c : connections_) asio::co_spawn(io_, serve(*c), keep_failure(state_));
}

void Traffic::stop_producing() {
  producing_ = false;
  tick_.cancel();
}

void Traffic::abandon() {
  abandoned_ = true;
  stop_producing();
  for (auto& c : connections_) {
    c->stream.cancel();
    c->timer.cancel();
  }
  wake_.cancel();
}

asio::awaitable<void> Traffic::produce() {
  while (producing_) {
    const TimePoint now = clock_.now();
    take_due(now);
    // Past their deadline, batches still wait for room in the queue: that is the backpressure.
    batches_.take_expired(steady::now(), max_queued_ - std::min(max_queued_, queue_.size()), ready_);
    enqueue_ready();

    const Duration late = now - vitals_.peek().due;
    const auto behind = std::chrono::milliseconds(
        late.count() > 0 ? static_cast<std::int64_t>(static_cast<double>(late.count()) / options_.speed) : 0);
    {
      std::lock_guard lock(state_.mutex);
      state_.stats.behind = behind;
    }
    tick_.expires_after(kTick);
    co_await tick_.async_wait(kTuple);
  }
  // At most kMaxOpenBatches more requests than the queue's bound, once.
  batches_.take_all(ready_);
  enqueue_ready();
  producer_done_ = true;
  {
    std::lock_guard lock(state_.mutex);
    state_.stats.producer_done = true;
    state_.stats.behind = std::chrono::milliseconds(0);
  }
  wake_.cancel();
}

void Traffic::take_due(TimePoint now) {
  std::uint64_t skipped = 0;
  std::uint64_t generated = 0;
  const auto real_now = steady::now();
  std::vector<domain::Observation> set;
  while (queue_.size() < max_queued_ && vitals_.peek().due <= now) {
    const auto slot = vitals_.peek();
    vitals_.pop();
    const PatientPlan& p = plan_.patients[slot.patient];
    if (!p.sending(slot.due)) {
      ++skipped;
      continue;
    }
    const Episode* episode = p.episode ? &*p.episode : nullptr;
    const auto sample =
        sample_vitals(p.profile, episode, slot.due, vitals_seed(plan_, slot.patient, slot.round),
                      options_.artefact_probability);
    set.clear();
    append_vitals(p, sample.vitals, slot.due, ids_, set);
    generated += set.size();
    // Hands out at most one batch, so the queue stays within max_queued_.
    batches_.add(slot.patient, std::move(set), real_now, ready_);
    enqueue_ready();
  }
  while (queue_.size() < max_queued_ && diaries_.peek().due <= now) {
    const auto slot = diaries_.peek();
    diaries_.pop();
    const PatientPlan& p = plan_.patients[slot.patient];
    const auto& protocol = *plan_.protocols[p.protocol];
    if (protocol.questionnaire.id.empty()) continue;
    if (!p.sending(slot.due)) continue;
    const double severity = p.episode ? episode_severity(*p.episode, slot.due) : 0;
    auto answers = sample_answers(protocol.questionnaire, protocol.epro_thresholds, severity,
                                  diary_seed(plan_, slot.patient, slot.round));
    const auto response = diary_response(p, protocol.questionnaire, std::move(answers), slot.due, ids_);
    enqueue(slot.patient, "/v1/questionnaire-responses", response_body(response), 0);
  }
  if (skipped > 0 || generated > 0) {
    std::lock_guard lock(state_.mutex);
    state_.stats.sets_skipped_in_gaps += skipped;
    state_.stats.observations_generated += generated;
  }
}

void Traffic::enqueue_ready() {
  for (auto& batch : ready_) {
    const std::uint64_t n = batch.observations.size();
    enqueue(batch.patient, "/v1/observations", observations_body(batch.observations), n);
  }
  ready_.clear();
}

void Traffic::enqueue(std::size_t patient, std::string target, std::string body, std::uint64_t observations) {
  auto job = std::make_unique<Job>();
  job->observations = observations;
  const auto& credentials = options_.device_credentials;
  job->request =
      json_post(options_.path_prefix + target, options_.host_header,
                patient < credentials.size() ? credentials[patient] : kNoCredential, std::move(body));
  queue_.push_back(std::move(job));
  {
    std::lock_guard lock(state_.mutex);
    ++state_.stats.pending_jobs;
  }
  wake_.cancel();
}

asio::awaitable<void> Traffic::serve(Connection& c) {
  for (;;) {
    while (queue_.empty() && !producer_done_) co_await wake_.async_wait(kTuple);
    if (queue_.empty()) break;
    auto job = std::move(queue_.front());
    queue_.pop_front();
    co_await deliver(c, *job);
    std::lock_guard lock(state_.mutex);
    --state_.stats.pending_jobs;
  }
  close(c);
}

asio::awaitable<void> Traffic::deliver(Connection& c, Job& job) {
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  auto pause = [&](std::chrono::milliseconds d) -> asio::awaitable<void> {
    if (abandoned_) co_return;
    c.timer.expires_after(d);
    co_await c.timer.async_wait(kTuple);
  };
  auto failed = [&](const boost::system::error_code& ec) {
    close(c);
    std::lock_guard lock(state_.mutex);
    ++(ec == beast::error::timeout ? state_.stats.timeouts : state_.stats.transport_errors);
  };

  for (;;) {
    if (abandoned_) {
      on_abandoned(job);
      co_return;
    }
    if (!c.open) {
      c.stream.expires_after(options_.request_timeout);
      auto [ec] = co_await c.stream.async_connect(endpoint_, kTuple);
      if (!ec) c.stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
      if (ec) {
        if (!abandoned_) failed(ec);
        co_await pause(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
        continue;
      }
      c.open = true;
      c.buffer.clear();
    }
    if (!job.sent) {
      job.sent = true;
      job.first_sent = steady::now();
      std::lock_guard lock(state_.mutex);
      if (job.observations > 0) {
        state_.stats.observations_sent += job.observations;
      } else {
        ++state_.stats.responses_sent;
      }
    }
    c.stream.expires_after(options_.request_timeout);
    auto [write_ec, written] = co_await http::async_write(c.stream, job.request, kTuple);
    boost::system::error_code ec = write_ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBody);
    if (!ec) {
      auto [read_ec, read] = co_await http::async_read(c.stream, c.buffer, parser, kTuple);
      ec = read_ec;
    }
    if (ec) {
      if (!abandoned_) failed(ec);
      co_await pause(backoff);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
      continue;
    }
    c.stream.expires_never();
    const auto& response = parser.get();
    if (!response.keep_alive()) close(c);
    const unsigned status = response.result_int();
    if (status == 503 || status == 429) {
      {
        std::lock_guard lock(state_.mutex);
        ++state_.stats.requests_retried;
      }
      co_await pause(
          parse_retry_after(response[http::field::retry_after], kDefaultRetryAfter, kMaxRetryAfter));
      continue;
    }
    on_answer(job, status, response.body());
    co_return;
  }
}

void Traffic::on_answer(Job& job, unsigned status, const std::string& body) {
  const auto latency = steady::now() - job.first_sent;
  std::lock_guard lock(state_.mutex);
  auto& s = state_.stats;
  const bool diary = job.observations == 0;
  const std::uint64_t items = diary ? 1 : job.observations;
  if (status >= 200 && status < 300) {
    ++s.requests_ok;
    s.latency.record(latency);
    s.recent_latency.record(latency);
    auto answer = parse_intake_answer(body);
    if (!answer) {
      // The server said it stored them; count them so the stored-count check can judge.
      answer = IntakeAnswer{items, 0, 0, {}};
      if (s.refusals.size() < kMaxRefusalsKept)
        s.refusals.push_back(describe_refusal(status, body) + " (unreadable answer)");
    }
    (diary ? s.responses_acked : s.observations_acked) += answer->accepted + answer->duplicates;
    (diary ? s.responses_refused : s.observations_refused) += answer->rejected;
    if (!diary) s.observations_duplicate += answer->duplicates;
    if (answer->rejected > 0 && s.refusals.size() < kMaxRefusalsKept) {
      s.refusals.push_back(
          fmt::format("{} of {} refused in a batch: {}", answer->rejected, items, answer->first_error));
    }
    return;
  }
  ++s.requests_refused;
  (diary ? s.responses_refused : s.observations_refused) += items;
  if (s.refusals.size() < kMaxRefusalsKept) s.refusals.push_back(describe_refusal(status, body));
}

void Traffic::on_abandoned(const Job& job) {
  std::lock_guard lock(state_.mutex);
  if (job.observations == 0) {
    ++state_.stats.responses_abandoned;
  } else {
    state_.stats.observations_abandoned += job.observations;
  }
}

void Traffic::close(Connection& c) {
  boost::system::error_code ignored;
  c.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  c.stream.close();
  c.open = false;
  c.buffer.clear();
}

}  // namespace vigil::sim
