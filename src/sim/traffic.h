#pragma once
// The simulator's sending side: a producer that turns the plan's schedule into request bodies as
// simulated time reaches them, and keep-alive connections that deliver them (see simulator.h for
// the behaviour: per-patient batches, bounded queue, deadlines, retries). Everything runs as
// coroutines on one io_context run by a single thread; results go to RunState.
//
// Every request body holds one patient's records and carries that patient's device credential, so
// a server that binds device keys to patients accepts it; a refusal of one patient's batch is
// counted against that batch alone.
//
// Thread safety: construct anywhere; call start(), stop_producing() and abandon() on the
// io_context's thread only (asio::post them). The plan, clock and RunState must outlive the
// io_context's run.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/observation.h"
#include "sim/batches.h"
#include "sim/run_state.h"
#include "sim/scenario.h"
#include "sim/wire.h"

namespace vigil::sim {

struct TrafficOptions {
  unsigned connections = 4;
  std::size_t batch_size = 100;
  std::chrono::milliseconds flush_after{100};
  std::chrono::milliseconds request_timeout{10'000};
  double artefact_probability = 0.004;
  double speed = 60;  // of the simulated clock, to express the producer's lag in real time
  std::string host_header;
  std::string path_prefix;
  // By plan patient index: the header each patient's requests carry (an empty name: none). Empty:
  // no credentials at all. Checked by the caller (check_header).
  std::vector<Header> device_credentials;
};

// A keep-alive POST of a JSON body to `target`, with `credential` when its name is not empty.
boost::beast::http::request<boost::beast::http::string_body> json_post(const std::string& target,
                                                                       const std::string& host,
                                                                       const Header& credential,
                                                                       std::string body);

class Traffic {
 public:
  Traffic(boost::asio::io_context& io, const Plan& plan, const Clock& clock,
          boost::asio::ip::tcp::endpoint endpoint, TrafficOptions options, RunState& state,
          std::uint64_t id_seed);

  void start();
  // The producer sends what it holds and stops; connections finish the queue, then end.
  void stop_producing();
  // Stops retrying: every request still queued or in flight is counted as abandoned.
  void abandon();

 private:
  struct Job {
    boost::beast::http::request<boost::beast::http::string_body> request;
    std::uint64_t observations = 0;  // 0 for a diary
    bool sent = false;
    std::chrono::steady_clock::time_point first_sent{};
  };
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : stream(io), timer(io) {}
    boost::beast::tcp_stream stream;
    boost::asio::steady_timer timer;  // back-off and Retry-After
    boost::beast::flat_buffer buffer;
    bool open = false;
  };

  boost::asio::awaitable<void> produce();
  void take_due(TimePoint now);
  void enqueue_ready();
  void enqueue(std::size_t patient, std::string target, std::string body, std::uint64_t observations);
  boost::asio::awaitable<void> serve(Connection& c);
  boost::asio::awaitable<void> deliver(Connection& c, Job& job);
  void on_answer(Job& job, unsigned status, const std::string& body);
  void on_abandoned(const Job& job);
  void close(Connection& c);

  boost::asio::io_context& io_;
  const Plan& plan_;
  const Clock& clock_;
  const boost::asio::ip::tcp::endpoint endpoint_;
  const TrafficOptions options_;
  RunState& state_;
  const std::size_t max_queued_;

  // Touched only on the io thread.
  IdSource ids_;
  Schedule vitals_;
  Schedule diaries_;
  PatientBatches batches_;
  std::vector<PatientBatches::Batch> ready_;  // handed out by batches_, enqueued at once
  std::deque<std::unique_ptr<Job>> queue_;
  std::vector<std::unique_ptr<Connection>> connections_;
  boost::asio::steady_timer tick_;
  boost::asio::steady_timer wake_;  // cancelled to wake connections waiting for a job
  bool producing_ = true;
  bool producer_done_ = false;
  bool abandoned_ = false;
};

}  // namespace vigil::sim
