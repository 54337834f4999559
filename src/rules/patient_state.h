#pragma once
// PatientState: what the processor remembers about one patient between readings, so that each new
// reading can be scored together with the patient's other recent vital signs (NEWS2), against how
// long a fever has lasted (CTCAE fever G4), and against when data last arrived (missing data).
//
// Thread safety: none. The processor keeps one instance per patient and uses it from one thread at a
// time (readings of one patient are processed in order by one worker); it is a plain value type.
//
// Ordering: readings may arrive out of order. For each parameter the state keeps the reading with the
// latest effective time; an older reading never overwrites a newer one, and a reading with the same
// effective time replaces the held one (a redelivery or a correction).
#include <array>
#include <boost/container/static_vector.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/observation.h"
#include "domain/questionnaire.h"
#include "rules/news2.h"

namespace vigil::rules {

// The readings NEWS2 uses, and where each comes from.
enum class News2Parameter : std::size_t {
  respiration_rate,  // 9279-1
  spo2,              // 2708-6 or 59408-5
  systolic,          // 8480-6, as a component of the blood-pressure panel 85354-9 or on its own
  pulse,             // 8867-4
  temperature,       // 8310-5
  oxygen_flow,       // 3151-8 inhaled oxygen flow rate; above 0 means the patient is on oxygen
  consciousness,     // the questionnaire item marked news2_consciousness; 1 = new confusion, 0 = alert
};
inline constexpr std::size_t kNews2ParameterCount = 7;

struct HeldReading {
  double value = 0;       // canonical unit
  TimePoint at{};         // effective time (authored time for questionnaire answers)
  std::string source_id;  // observation id, or questionnaire response id
};

// The NEWS2 input for one moment, with the readings it was built from. It is taken for every
// reading that changes a NEWS2 parameter and rarely becomes an alert, so it allocates nothing: the
// ids are views of the readings the PatientState holds, valid until that state next changes.
struct News2Snapshot {
  News2Input input;
  // Ids of the readings used, in News2Parameter order.
  boost::container::static_vector<std::string_view, kNews2ParameterCount> source_ids;
  std::optional<TimePoint> newest;  // effective time of the newest reading used
};

class PatientState {
 public:
  // Records a reading. Any observation, whatever its code, counts as data for missing-data purposes;
  // observations without a value (other than the blood-pressure panel) change nothing else. Returns
  // true when a NEWS2 parameter now holds this reading.
  bool apply(const domain::Observation& observation);

  // Records the answer to `definition`'s consciousness item, if the definition marks one and the
  // response answers it with a boolean (true = new confusion). Returns true when it was recorded.
  bool apply(const domain::QuestionnaireResponse& response,
             const domain::QuestionnaireDefinition& definition);

  // The NEWS2 input as of `now`, from the latest reading of each parameter whose effective time lies
  // in [now - window, now]; parameters without one are absent (oxygen: air; consciousness: alert).
  [[nodiscard]] News2Input news2_input(TimePoint now, Duration window, int spo2_scale) const;
  [[nodiscard]] News2Snapshot news2_snapshot(TimePoint now, Duration window, int spo2_scale) const;

  // The reading held for a parameter, whatever its age.
  [[nodiscard]] const std::optional<HeldReading>& latest(News2Parameter parameter) const;
  // The effective time of the newest held NEWS2 reading (any parameter); nothing before the first.
  [[nodiscard]] std::optional<TimePoint> newest_news2_reading() const;
  // The effective time of the newest observation of any code; nothing before the first.
  [[nodiscard]] std::optional<TimePoint> last_reading() const { return last_reading_; }

  // How long the temperature has been continuously above 40.0 C (rounded to 0.1 C, as CTCAE grades
  // it) as of `at`: from the first of an unbroken run of such readings, ended by any reading of 40.0
  // or less. Zero when there is no such run or `at` is before it began.
  [[nodiscard]] Duration time_above_40(TimePoint at) const;

 private:
  bool hold(News2Parameter parameter, double value, TimePoint at, const std::string& source_id);

  std::array<std::optional<HeldReading>, kNews2ParameterCount> latest_;
  std::optional<TimePoint> last_reading_;
  std::optional<TimePoint> above_40_since_;
};

}  // namespace vigil::rules
