#include "registry/patients_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

namespace vigil::registry {
namespace {

// Reads `patients:`, explicit entries and `generate:` ranges alike, checking ids are unique across both.
class PatientReader {
 public:
  PatientReader(const YamlReader& r, const std::vector<Site>& sites, std::string trial_id)
      : r_(r), sites_(sites), trial_id_(std::move(trial_id)) {}

  std::vector<Patient> read(const YAML::Node& node) {
    r_.sequence(node, "patients");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const auto path = fmt::format("patients[{}]", i);
      if (node[i].IsMap() && node[i]["generate"]) {
        const Mapping outer(r_, node[i], path, {"generate"}, {});
        read_generate(outer.at("generate"), outer.path("generate"));
      } else {
        read_explicit(node[i], path);
      }
    }
    return std::move(patients_);
  }

 private:
  std::string site(const YAML::Node& n, const std::string& path) const {
    auto id = r_.string(n, path);
    const bool known = std::any_of(sites_.begin(), sites_.end(), [&](const Site& s) { return s.id == id; });
    if (!known) {
      std::vector<std::string_view> ids;
      for (const auto& s : sites_) ids.push_back(s.id);
      r_.fail(n, fmt::format("'{}' refers to unknown site '{}' (sites: {})", path, id, fmt::join(ids, ", ")));
    }
    return id;
  }

  PatientStatus status(const YAML::Node& n, const std::string& path) const {
    const auto text = r_.string(n, path);
    const auto s = parse_patient_status(text);
    if (!s) {
      r_.fail(n, fmt::format("'{}' must be one of screened, enrolled, withdrawn, completed, got '{}'", path,
                             text));
    }
    return *s;
  }

  // Screened patients have no enrolment date; everyone else must have one.
  void check_enrolled_at(const Mapping& m, PatientStatus s) const {
    if (s == PatientStatus::screened && m.has("enrolled_at")) {
      r_.fail(m.key_mark("enrolled_at"),
              fmt::format("'{}' must be absent for a screened patient", m.path("enrolled_at")));
    }
    if (s != PatientStatus::screened && !m.has("enrolled_at")) {
      r_.fail(m.node(), fmt::format("'{}' needs enrolled_at for a {} patient", m.path(), to_string(s)));
    }
  }

  int spo2_scale(const YAML::Node& n, const std::string& path) const {
    return static_cast<int>(r_.integer(n, path, 1, 2));
  }

  void add(Patient p, const YAML::Node& at, const std::string& path) {
    if (const auto it = seen_.find(p.id); it != seen_.end()) {
      r_.fail(at,
              fmt::format("'{}' repeats patient id '{}' (first at {})", path, p.id, r_.where(it->second)));
    }
    seen_.emplace(p.id, at.Mark());
    patients_.push_back(std::move(p));
  }

  void read_explicit(const YAML::Node& node, const std::string& path) {
    const Mapping m(r_, node, path, {"id", "site", "status"}, {"arm", "enrolled_at", "spo2_scale"});
    Patient p;
    p.id = r_.identifier(m.at("id"), m.path("id"));
    p.trial_id = trial_id_;
    p.site_id = site(m.at("site"), m.path("site"));
    p.status = status(m.at("status"), m.path("status"));
    if (m.has("arm")) p.arm = r_.identifier(m.at("arm"), m.path("arm"));
    check_enrolled_at(m, p.status);
    if (m.has("enrolled_at")) p.enrolled_at = r_.timestamp(m.at("enrolled_at"), m.path("enrolled_at"));
    if (m.has("spo2_scale")) p.settings.spo2_scale = spo2_scale(m.at("spo2_scale"), m.path("spo2_scale"));
    add(std::move(p), m.at("id"), m.path("id"));
  }

  std::vector<std::string> arms(const YAML::Node& n, const std::string& path) const {
    if (n.IsScalar()) return {r_.identifier(n, path)};
    r_.sequence(n, path);
    if (n.size() == 0) r_.fail(n, fmt::format("'{}' must list at least one arm", path));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n.size(); ++i) {
      out.push_back(r_.identifier(n[i], fmt::format("{}[{}]", path, i)));
    }
    return out;
  }

  void read_generate(const YAML::Node& node, const std::string& path) {
    const Mapping m(r_, node, path, {"site", "count", "id_format", "status"},
                    {"first", "arm", "enrolled_at", "enrolled_every", "spo2_scale", "spo2_scale_2_every"});
    const auto site_id = site(m.at("site"), m.path("site"));
    const auto count = r_.integer(m.at("count"), m.path("count"), 1, 100'000);
    const auto first = m.has("first") ? r_.integer(m.at("first"), m.path("first"), 0, 1'000'000'000) : 1;
    const auto& format_node = m.at("id_format");
    const auto format = r_.text(format_node, m.path("id_format"));
    const auto s = status(m.at("status"), m.path("status"));
    const auto arm_list = m.has("arm") ? arms(m.at("arm"), m.path("arm")) : std::vector<std::string>{};
    check_enrolled_at(m, s);
    const auto enrolled_at =
        m.has("enrolled_at") ? r_.timestamp(m.at("enrolled_at"), m.path("enrolled_at")) : TimePoint{};
    Duration every{0};
    if (m.has("enrolled_every")) {
      if (!m.has("enrolled_at")) {
        r_.fail(m.key_mark("enrolled_every"),
                fmt::format("'{}' needs enrolled_at", m.path("enrolled_every")));
      }
      every = r_.duration(m.at("enrolled_every"), m.path("enrolled_every"), Duration(0),
                          std::chrono::hours(24 * 30));
    }
    if (m.has("spo2_scale") && m.has("spo2_scale_2_every")) {
      r_.fail(m.key_mark("spo2_scale_2_every"),
              fmt::format("'{}' and '{}' exclude each other", m.path("spo2_scale"),
                          m.path("spo2_scale_2_every")));
    }
    const int scale = m.has("spo2_scale") ? spo2_scale(m.at("spo2_scale"), m.path("spo2_scale")) : 1;
    const auto scale_2_every =
        m.has("spo2_scale_2_every")
            ? r_.integer(m.at("spo2_scale_2_every"), m.path("spo2_scale_2_every"), 1, 100'000)
            : 0;

    check_id_format(format_node, m.path("id_format"), format, first);
    for (long long k = 0; k < count; ++k) {
      Patient p;
      p.id = format_id(format_node, m.path("id_format"), format, first + k);
      p.trial_id = trial_id_;
      p.site_id = site_id;
      p.status = s;
      if (!arm_list.empty()) p.arm = arm_list[static_cast<std::size_t>(k) % arm_list.size()];
      if (s != PatientStatus::screened) p.enrolled_at = enrolled_at + every * k;
      p.settings.spo2_scale = (scale_2_every > 0 && (k + 1) % scale_2_every == 0) ? 2 : scale;
      add(std::move(p), node, path);
    }
  }

  // A format that ignores the number would give every patient of the range the same id.
  void check_id_format(const YAML::Node& at, const std::string& path, const std::string& format,
                       long long first) const {
    const auto id = format_id(at, path, format, first);
    if (id == format_id(at, path, format, first + 1)) {
      r_.fail(at,
              fmt::format("'{}' must contain a placeholder for the patient number, e.g. \"DEMO-S01-{{:04}}\"",
                          path));
    }
  }

  std::string format_id(const YAML::Node& at, const std::string& path, const std::string& format,
                        long long n) const {
    std::string id;
    try {
      id = fmt::format(fmt::runtime(format), n);
    } catch (const fmt::format_error& e) {
      r_.fail(at, fmt::format("'{}' is not a valid format for the patient number ({}); write e.g. "
                              "\"DEMO-S01-{{:04}}\"",
                              path, e.what()));
    }
    if (!plain_id(id)) {
      r_.fail(at,
              fmt::format("'{}' makes '{}' for number {}, which is not 1-{} letters, digits, '-', '_' or '.'",
                          path, id, n, kMaxIdLength));
    }
    return id;
  }

  const YamlReader& r_;
  const std::vector<Site>& sites_;
  std::string trial_id_;
  std::vector<Patient> patients_;
  std::map<std::string, YAML::Mark, std::less<>> seen_;
};

}  // namespace

std::vector<Patient> read_patients_section(const YamlReader& r, const YAML::Node& node,
                                           const std::vector<Site>& sites, const std::string& trial_id) {
  return PatientReader(r, sites, trial_id).read(node);
}

}  // namespace vigil::registry
