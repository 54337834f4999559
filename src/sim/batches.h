#pragma once
// Per-patient batching of reading sets. A device key is bound to one patient and the server refuses
// a whole batch that holds another patient's reading, so every request body carries one patient's
// observations only: each patient has its own partial batch.
//
// A batch is handed out (appended to `ready`, oldest first)
// - as soon as it has no room for another set of the size just added (batch_size observations at
//   most; a set is never split, so a set larger than batch_size goes alone);
// - by take_expired() once it has been open for `flush_after`;
// - early, the oldest first, when a patient without a partial batch starts one while `max_open`
//   patients already have one: held memory stays below max_open * batch_size observations however
//   many patients there are.
// When all sets have one size (the simulator's do), add() hands out at most one batch per call, so a
// caller that adds only while its queue has room for one more request keeps that queue bounded; a
// set that does not fit its patient's batch (sizes differ) sends that batch first.
//
// Thread safety: none; one per producer. Errors: none (sizes of 0 are treated as 1).
#include <chrono>
#include <cstddef>
#include <list>
#include <unordered_map>
#include <vector>

#include "domain/observation.h"

namespace vigil::sim {

class PatientBatches {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Batch {
    std::size_t patient = 0;  // as given to add(): the plan's patient index
    std::vector<domain::Observation> observations;
  };

  PatientBatches(std::size_t batch_size, std::chrono::nanoseconds flush_after, std::size_t max_open);

  // Adds one reading set of `patient`, all of whose observations must belong to that patient.
  void add(std::size_t patient, std::vector<domain::Observation>&& set, TimePoint now,
           std::vector<Batch>& ready);
  // Hands out up to `limit` batches open for `flush_after` or longer, oldest first.
  void take_expired(TimePoint now, std::size_t limit, std::vector<Batch>& ready);
  // Hands out every partial batch, oldest first.
  void take_all(std::vector<Batch>& ready);

  [[nodiscard]] std::size_t open() const { return open_.size(); }
  [[nodiscard]] bool empty() const { return open_.empty(); }

 private:
  struct Open {
    Batch batch;
    TimePoint since{};
  };
  using Iterator = std::list<Open>::iterator;

  void hand_out(Iterator it, std::vector<Batch>& ready);

  const std::size_t batch_size_;
  const std::chrono::nanoseconds flush_after_;
  const std::size_t max_open_;
  std::list<Open> open_;  // in opening order, which is deadline order
  std::unordered_map<std::size_t, Iterator> by_patient_;
};

}  // namespace vigil::sim
