#include "sim/batches.h"

#include <algorithm>
#include <iterator>

namespace vigil::sim {

PatientBatches::PatientBatches(std::size_t batch_size, std::chrono::nanoseconds flush_after,
                               std::size_t max_open)
    : batch_size_(std::max<std::size_t>(1, batch_size)),
      flush_after_(flush_after),
      max_open_(std::max<std::size_t>(1, max_open)) {}

void PatientBatches::add(std::size_t patient, std::vector<domain::Observation>&& set, TimePoint now,
                         std::vector<Batch>& ready) {
  // Full: no room for another set of the size just added.
  const std::size_t set_size = std::max<std::size_t>(1, set.size());
  const auto full = [&](const Batch& b) { return b.observations.size() + set_size > batch_size_; };
  if (auto found = by_patient_.find(patient); found != by_patient_.end()) {
    auto& observations = found->second->batch.observations;
    if (observations.size() + set.size() <= batch_size_) {
      observations.insert(observations.end(), std::make_move_iterator(set.begin()),
                          std::make_move_iterator(set.end()));
      if (full(found->second->batch)) hand_out(found->second, ready);
      return;
    }
    // Only when sets differ in size: this one does not fit, so the patient's batch goes first.
    hand_out(found->second, ready);
  }
  Batch batch{patient, std::move(set)};
  if (full(batch)) {
    ready.push_back(std::move(batch));
    return;
  }
  if (open_.size() >= max_open_) hand_out(open_.begin(), ready);
  open_.push_back(Open{std::move(batch), now});
  by_patient_.emplace(patient, std::prev(open_.end()));
}

void PatientBatches::take_expired(TimePoint now, std::size_t limit, std::vector<Batch>& ready) {
  for (std::size_t n = 0; n < limit && !open_.empty() && now - open_.front().since >= flush_after_; ++n) {
    hand_out(open_.begin(), ready);
  }
}

void PatientBatches::take_all(std::vector<Batch>& ready) {
  while (!open_.empty()) hand_out(open_.begin(), ready);
}

void PatientBatches::hand_out(Iterator it, std::vector<Batch>& ready) {
  by_patient_.erase(it->batch.patient);
  ready.push_back(std::move(it->batch));
  open_.erase(it);
}

}  // namespace vigil::sim
