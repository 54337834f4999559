#include "registry/protocol_file.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace vigil::registry {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TimePoint at(const char* rfc3339) {
  TimePoint t{};
  EXPECT_TRUE(parse_rfc3339(rfc3339, t)) << rfc3339;
  return t;
}

// A YAML file under the system temporary folder, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            fmt::format("vigil-registry-{}-{}-{}.yaml", ::getpid(), info ? info->name() : "none", counter_++);
    std::ofstream(path_) << text;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// A small valid file; the error tests each break one thing in it.
const std::string kBase = R"(trial: {id: T1, name: Test trial, phase: "2", status: active}
protocol:
  version: 1
  news2: {window: 1h, min_alert_band: low-medium}
  missing_data_gap: 24h
  thresholds:
    - {code: 8867-4, low: 40, high: 130, severity: high}
  questionnaire:
    id: daily
    version: "1"
    items:
      - {id: pain, type: numeric, min: 0, max: 10}
      - {id: confused, type: boolean, news2_consciousness: true}
      - {id: mood, type: coded, options: [good, poor]}
  epro_thresholds:
    - {item: pain, op: ">=", value: 8, severity: medium}
sites:
  - {id: S01, name: Site one, country: GB, timezone: Europe/London, principal_investigator: Dr A}
  - {id: S02, name: Site two, country: FR, timezone: Europe/Paris, principal_investigator: Dr B}
patients:
  - {id: P1, site: S01, status: enrolled, enrolled_at: "2026-01-01T00:00:00Z"}
  - {id: P2, site: S02, status: screened}
)";

// kBase with the one occurrence of `from` replaced by `to`.
std::string with(const std::string& from, const std::string& to, std::string text = kBase) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  EXPECT_EQ(text.find(from, pos + 1), std::string::npos) << "ambiguous: " << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// Loads `yaml` from a file and returns the error message, or "" when it loaded.
std::string error_of(const TempFile& file) {
  try {
    (void)load_protocol_file(file.path());
  } catch (const ProtocolFileError& e) {
    return e.what();
  }
  return "";
}

// Expects loading `yaml` to fail with "FILE:LINE:COL: reason", where LINE:COL is where `needle`
// first starts in the text (`occurrence` > 1 for a later one).
void expect_error(const std::string& yaml, const std::string& needle, const std::string& reason,
                  int occurrence = 1) {
  std::size_t pos = std::string::npos;
  for (int i = 0; i < occurrence; ++i) pos = yaml.find(needle, pos == std::string::npos ? 0 : pos + 1);
  ASSERT_NE(pos, std::string::npos) << needle;
  const auto before = yaml.substr(0, pos);
  const auto line = std::count(before.begin(), before.end(), '\n') + 1;
  const auto last_newline = before.rfind('\n');
  const auto column = last_newline == std::string::npos ? pos + 1 : pos - last_newline;
  const TempFile file(yaml);
  auto expected = reason;  // "$FILE" stands for the file's path, which the test only knows now
  for (auto at = expected.find("$FILE"); at != std::string::npos; at = expected.find("$FILE")) {
    expected.replace(at, 5, file.path().string());
  }
  EXPECT_EQ(error_of(file), fmt::format("{}:{}:{}: {}", file.path().string(), line, column, expected));
}

TEST(ProtocolFile, LoadsTheBaseFile) {
  const TempFile file(kBase);
  const auto r = load_protocol_file(file.path());
  ASSERT_TRUE(r->trial("T1"));
  EXPECT_EQ(r->trial("T1")->name, "Test trial");
  EXPECT_EQ(r->patient_count(), 2u);
  EXPECT_EQ(r->patient("P1")->enrolled_at, at("2026-01-01T00:00:00Z"));
  EXPECT_EQ(r->patient("P2")->status, PatientStatus::screened);
  EXPECT_EQ(r->patient("P2")->enrolled_at, TimePoint{});
  const auto p = r->protocol("T1");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->questionnaire.items.size(), 3u);
  EXPECT_THAT(p->questionnaire.items[2].options, ElementsAre("good", "poor"));
  // Defaults where the file is silent.
  EXPECT_TRUE(p->ctcae.enabled);
  EXPECT_EQ(p->ctcae.min_alert_grade, 2);
}

TEST(ProtocolFile, ParsesFromTextWithTheSameRules) {
  const auto c = parse_protocol_text(kBase, "upload");
  EXPECT_EQ(c.trials.size(), 1u);
  EXPECT_EQ(c.sites.size(), 2u);
  try {
    (void)parse_protocol_text(with("version: 1", "version: 0"), "upload");
    ADD_FAILURE() << "expected an error";
  } catch (const ProtocolFileError& e) {
    EXPECT_EQ(std::string(e.what()), "upload:3:12: 'protocol.version' must be between 1 and 1000000, got 0");
  }
}

TEST(ProtocolFile, DemoTrial) {
  const auto r = load_protocol_file(fs::path(VIGIL_SOURCE_DIR) / "examples/trials/demo.yaml");
  const auto trials = r->trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].id, "NCT09990001");
  EXPECT_EQ(trials[0].phase, "2");
  EXPECT_EQ(trials[0].status, TrialStatus::active);

  const auto sites = r->sites("NCT09990001");
  ASSERT_EQ(sites.size(), 5u);
  std::vector<std::string> zones;
  for (const auto& s : sites) zones.push_back(s.country + " " + s.timezone);
  EXPECT_THAT(zones, ElementsAre("GB Europe/London", "DE Europe/Berlin", "US America/New_York",
                                 "JP Asia/Tokyo", "AU Australia/Melbourne"));

  std::map<PatientStatus, int> by_status;
  std::map<std::string, int> enrolled_by_site;
  int scale_2 = 0;
  r->for_each_patient([&](const Patient& p) {
    ++by_status[p.status];
    if (p.status == PatientStatus::enrolled) ++enrolled_by_site[p.site_id];
    if (p.settings.spo2_scale == 2) ++scale_2;
  });
  EXPECT_EQ(by_status[PatientStatus::enrolled], 2000);
  EXPECT_EQ(by_status[PatientStatus::screened], 2);
  EXPECT_EQ(by_status[PatientStatus::withdrawn], 2);
  EXPECT_EQ(by_status[PatientStatus::completed], 1);
  EXPECT_EQ(r->patient_count(), 2005u);
  for (const auto& s : sites) EXPECT_EQ(enrolled_by_site[s.id], 400) << s.id;
  EXPECT_EQ(scale_2, 20);

  const auto first = r->patient("DEMO-S01-0001");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->arm, "A");
  EXPECT_EQ(first->enrolled_at, at("2026-09-01T08:00:00Z"));
  EXPECT_EQ(first->settings.spo2_scale, 1);
  EXPECT_EQ(r->patient("DEMO-S01-0002")->arm, "B");
  EXPECT_EQ(r->patient("DEMO-S01-0100")->settings.spo2_scale, 2);
  const auto last = r->patient("DEMO-S05-0400");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->enrolled_at, at("2026-09-05T22:00:00Z") + std::chrono::hours(2 * 399));
  EXPECT_FALSE(r->patient("DEMO-S05-0000"));
  EXPECT_TRUE(r->check_patient_for_intake("DEMO-S03-0250").ok());
  EXPECT_EQ(r->check_patient_for_intake("DEMO-S01-0401").result, PatientCheck::Result::not_enrolled);
  EXPECT_EQ(r->check_patient_for_intake("DEMO-S03-0401").patient->status, PatientStatus::withdrawn);
  EXPECT_EQ(r->check_patient_for_intake("DEMO-S06-0001").result, PatientCheck::Result::unknown);

  const auto p = r->protocol("NCT09990001");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->trial_id, "NCT09990001");
  EXPECT_EQ(p->version, 1);
  EXPECT_TRUE(p->news2.enabled);
  EXPECT_EQ(p->news2.window, std::chrono::hours(1));
  EXPECT_EQ(p->news2.min_alert_band, rules::News2Band::low_medium);
  EXPECT_EQ(p->ctcae.min_alert_grade, 2);
  EXPECT_EQ(p->missing_data_gap, std::chrono::hours(24));

  std::vector<std::string> thresholds;
  for (const auto& t : p->thresholds) {
    thresholds.push_back(fmt::format("{} {} {} {}", t.code, t.low ? fmt::format("{}", *t.low) : "-",
                                     t.high ? fmt::format("{}", *t.high) : "-",
                                     domain::to_string(t.severity)));
  }
  EXPECT_THAT(thresholds, ElementsAre("8867-4 40 130 high", "9279-1 8 25 high", "2708-6 90 - high",
                                      "8310-5 35 39 medium", "8480-6 90 180 high", "8462-4 - 110 high"));

  const auto& q = p->questionnaire;
  EXPECT_EQ(q.id, "demo-daily");
  EXPECT_EQ(q.version, "1");
  ASSERT_EQ(q.items.size(), 4u);
  EXPECT_EQ(q.items[0].id, "pain");
  EXPECT_EQ(q.items[0].loinc, "72514-3");
  EXPECT_EQ(q.items[0].type, domain::ItemType::numeric);
  EXPECT_EQ(q.items[0].min, 0);
  EXPECT_EQ(q.items[0].max, 10);
  EXPECT_TRUE(q.items[0].required);
  EXPECT_EQ(q.items[1].id, "nausea");
  EXPECT_EQ(q.items[3].id, "new_confusion");
  EXPECT_TRUE(q.items[3].news2_consciousness);
  EXPECT_FALSE(q.items[1].news2_consciousness);

  ASSERT_EQ(p->epro_thresholds.size(), 3u);
  EXPECT_EQ(p->epro_thresholds[0].item_id, "pain");
  EXPECT_EQ(p->epro_thresholds[0].op, rules::Comparison::greater_or_equal);
  EXPECT_EQ(p->epro_thresholds[0].value, 8);
  EXPECT_EQ(p->epro_thresholds[0].severity, domain::Severity::medium);
  EXPECT_EQ(p->epro_thresholds[2].item_id, "new_confusion");
  EXPECT_EQ(p->epro_thresholds[2].op, rules::Comparison::equal);
  EXPECT_EQ(p->epro_thresholds[2].value, 1);
  EXPECT_EQ(p->epro_thresholds[2].severity, domain::Severity::high);
}

TEST(ProtocolFile, GeneratedRanges) {
  const auto yaml =
      with("  - {id: P2, site: S02, status: screened}\n",
           "  - {id: P2, site: S02, status: screened}\n"
           "  - generate: {site: S02, count: 5, first: 8, id_format: \"X-{:03}\", arm: [A, B, C],\n"
           "               status: enrolled, enrolled_at: \"2026-02-01T00:00:00Z\", enrolled_every: 90m,\n"
           "               spo2_scale_2_every: 2}\n"
           "  - generate: {site: S01, count: 2, id_format: \"Y{}\", arm: solo, status: enrolled,\n"
           "               enrolled_at: \"2026-03-01T00:00:00Z\", spo2_scale: 2}\n"
           "  - generate: {site: S01, count: 3, id_format: \"Z{}\", status: screened}\n");
  const auto c = parse_protocol_text(yaml, "gen");
  std::vector<std::string> rows;
  for (const auto& p : c.patients) {
    rows.push_back(fmt::format("{} {} {} {} {} {}", p.id, p.site_id, p.arm.empty() ? "-" : p.arm,
                               to_string(p.status), p.settings.spo2_scale,
                               p.enrolled_at == TimePoint{} ? "-" : format_rfc3339(p.enrolled_at)));
  }
  EXPECT_THAT(rows, ElementsAre("P1 S01 - enrolled 1 2026-01-01T00:00:00.000Z",  //
                                "P2 S02 - screened 1 -",                         //
                                "X-008 S02 A enrolled 1 2026-02-01T00:00:00.000Z",
                                "X-009 S02 B enrolled 2 2026-02-01T01:30:00.000Z",
                                "X-010 S02 C enrolled 1 2026-02-01T03:00:00.000Z",
                                "X-011 S02 A enrolled 2 2026-02-01T04:30:00.000Z",
                                "X-012 S02 B enrolled 1 2026-02-01T06:00:00.000Z",
                                "Y1 S01 solo enrolled 2 2026-03-01T00:00:00.000Z",
                                "Y2 S01 solo enrolled 2 2026-03-01T00:00:00.000Z",  //
                                "Z1 S01 - screened 1 -", "Z2 S01 - screened 1 -", "Z3 S01 - screened 1 -"));
}

TEST(ProtocolFile, MissingFile) {
  const auto path = fs::temp_directory_path() / "vigil-registry-no-such-file.yaml";
  try {
    (void)load_protocol_file(path);
    ADD_FAILURE() << "expected an error";
  } catch (const ProtocolFileError& e) {
    EXPECT_EQ(std::string(e.what()),
              path.string() + ": cannot read protocol file (missing, unreadable or not a file)");
  }
}

TEST(ProtocolFileErrors, YamlSyntax) {
  // yaml-cpp's own message, at the place it gave up on the unclosed flow mapping.
  const auto yaml = with("phase: \"2\", status: active}", "phase: \"2\", status: active");
  const TempFile file(yaml);
  EXPECT_EQ(error_of(file), file.path().string() + ":2:9: end of map flow not found");
}

TEST(ProtocolFileErrors, EmptyFile) {
  const TempFile file("# nothing yet\n");
  EXPECT_EQ(error_of(file),
            file.path().string() + ": the file is empty; it needs trial, protocol, sites and patients");
}

TEST(ProtocolFileErrors, UnknownKeys) {
  expect_error(with("name: Test trial", "nmae: Test trial"), "nmae",
               "unknown key 'nmae' in 'trial' (known: id, name, phase, status)");
  expect_error(kBase + "site: []\n", "site: []",
               "unknown key 'site' in the file (known: trial, protocol, sites, patients)");
  expect_error(with("min_alert_band: low-medium", "min_alert_band: low-medium, windw: 2h"), "windw",
               "unknown key 'windw' in 'protocol.news2' (known: enabled, window, min_alert_band)");
  expect_error(with("severity: high}", "severity: high, hihg: 140}"), "hihg",
               "unknown key 'hihg' in 'protocol.thresholds[0]' (known: code, severity, low, high)");
  expect_error(with("status: screened}", "status: screened, spo2: 2}"), "spo2",
               "unknown key 'spo2' in 'patients[1]' (known: id, site, status, arm, enrolled_at, spo2_scale)");
}

TEST(ProtocolFileErrors, RepeatedAndMissingKeys) {
  expect_error(with("  version: 1\n", "  version: 1\n  version: 2\n"), "version: 2",
               "key 'version' repeated in 'protocol' (first at $FILE:3)");
  expect_error(with(", status: active}", "}"), "{id: T1", "'trial' is missing required key 'status'");
  expect_error(with("  version: 1\n", ""), "news2: {", "'protocol' is missing required key 'version'");
  expect_error(with("sites:\n", "sitez:\n"), "sitez",
               "unknown key 'sitez' in the file (known: trial, protocol, sites, patients)");
}

TEST(ProtocolFileErrors, WrongTypes) {
  expect_error(with("version: 1", "version: one"), "one", "'protocol.version' must be an integer");
  expect_error(with("  thresholds:\n    - {code: 8867-4, low: 40, high: 130, severity: high}\n",
                    "  thresholds: 8867-4\n"),
               "8867-4", "'protocol.thresholds' must be a list");
  expect_error(with("trial: {id: T1, name: Test trial, phase: \"2\", status: active}", "trial: [T1]"), "[T1]",
               "'trial' must be a mapping");
  expect_error(with("low: 40", "low: forty"), "forty", "'protocol.thresholds[0].low' must be a number");
  expect_error(with("news2_consciousness: true", "news2_consciousness: yes"), "yes",
               "'protocol.questionnaire.items[1].news2_consciousness' must be true or false");
  expect_error(with("window: 1h", "window: [1h]"), "[1h]", "'protocol.news2.window' must be a string");
}

TEST(ProtocolFileErrors, BadValues) {
  expect_error(
      with("severity: high}", "severity: severe}"), "severe",
      "'protocol.thresholds[0].severity' must be one of low, low-medium, medium, high, critical, got "
      "'severe'");
  expect_error(with("status: screened}", "status: screened, spo2_scale: 3}"), "3}",
               "'patients[1].spo2_scale' must be between 1 and 2, got 3");
  expect_error(with("status: active}", "status: recruitment}"), "recruitment",
               "'trial.status' must be one of planned, recruiting, active, suspended, completed, terminated, got "
               "'recruitment'");
  expect_error(with("phase: \"2\"", "phase: \"5\""), "\"5\"",
               "'trial.phase' must be one of 1, 1/2, 2, 2/3, 3, 4, got '5'");
  expect_error(
      with("status: screened}", "status: randomised}"), "randomised",
      "'patients[1].status' must be one of screened, enrolled, withdrawn, completed, got 'randomised'");
  expect_error(with("min_alert_band: low-medium", "min_alert_band: amber"), "amber",
               "'protocol.news2.min_alert_band' must be one of low, low-medium, medium, high, got 'amber'");
  expect_error(with("country: FR", "country: France"), "France",
               "'sites[1].country' must be an ISO 3166-1 alpha-2 code such as GB, got 'France'");
  expect_error(
      with("timezone: Europe/Paris", "timezone: CET+1 hour"), "CET+1 hour",
      "'sites[1].timezone' must be an IANA time zone such as Europe/London or UTC, got 'CET+1 hour'");
  expect_error(with("\"2026-01-01T00:00:00Z\"", "\"2026-01-01 midnight\""), "\"2026-01-01 midnight\"",
               "'patients[0].enrolled_at' must be an RFC 3339 timestamp such as 2026-09-01T08:00:00Z, got "
               "'2026-01-01 midnight'");
  expect_error(with("{id: P1,", "{id: P 1,"), "P 1",
               "'patients[0].id' must be 1-64 letters, digits, '-', '_' or '.', got 'P 1'");
}

TEST(ProtocolFileErrors, Durations) {
  expect_error(with("missing_data_gap: 24h", "missing_data_gap: -1h"), "-1h",
               "'protocol.missing_data_gap' must not be negative, got '-1h'");
  expect_error(with("missing_data_gap: 24h", "missing_data_gap: 1 day"), "1 day",
               "'protocol.missing_data_gap' must be a duration such as 30s, 90m, 1h or 2d, got '1 day'");
  expect_error(with("window: 1h", "window: 0s"), "0s",
               "'protocol.news2.window' must be between 1m and 1d, got '0s'");
  expect_error(with("window: 1h", "window: 25h"), "25h",
               "'protocol.news2.window' must be between 1m and 1d, got '25h'");
}

TEST(ProtocolFileErrors, Thresholds) {
  const std::string t = "{code: 8867-4, low: 40, high: 130, severity: high}";
  expect_error(with(t, "{code: 8867-4, severity: high}"), "{code: 8867-4",
               "'protocol.thresholds[0]' needs low, high or both");
  expect_error(with(t, "{code: 8867-4, low: 130, high: 130, severity: high}"), "130,",
               "'protocol.thresholds[0]' low (130) must be below high (130)");
  expect_error(with(t, "{code: 8867-5, low: 40, severity: high}"), "8867-5",
               "'protocol.thresholds[0].code' 8867-5 has a wrong LOINC check digit (expected 8867-4)");
  expect_error(with(t, "{code: heart-rate, low: 40, severity: high}"), "heart-rate",
               "'protocol.thresholds[0].code' must be a LOINC code such as 8867-4, got 'heart-rate'");
  {
    // The supported list belongs to domain/loinc.h; only its start is pinned here.
    const TempFile file(with(t, "{code: 1234-4, low: 40, severity: high}"));
    EXPECT_THAT(error_of(file),
                ::testing::StartsWith(file.path().string() +
                                      ":7:14: 'protocol.thresholds[0].code' 1234-4 is not a code "
                                      "Vigil accepts (supported: 9279-1, 8867-4, "));
  }
  expect_error(
      with(t, "{code: 85354-9, high: 140, severity: high}"), "85354-9",
      "'protocol.thresholds[0].code' 85354-9 is a panel without a value of its own; set thresholds on "
      "its components (8480-6, 8462-4)");
  expect_error(
      with(t, "{code: 8310-5, high: 102.2, severity: high}"), "102.2",
      "'protocol.thresholds[0].high' 102.2 is outside the possible body temperature readings (at least "
      "25 and at most 47 Cel); thresholds are in Cel");
  expect_error(
      with(t, t + "\n    - {code: 8867-4, high: 150, severity: critical}"), "{code: 8867-4, high: 150",
      "'protocol.thresholds[1]' repeats code 8867-4 (first at $FILE:7); put low and high in one entry");
}

TEST(ProtocolFileErrors, Questionnaire) {
  expect_error(with("{id: pain, type: numeric, min: 0, max: 10}", "{id: pain, type: numeric, max: 10}"),
               "{id: pain", "'protocol.questionnaire.items[0]' is numeric and needs min and max");
  expect_error(with("{id: mood, type: coded, options: [good, poor]}", "{id: mood, type: coded, min: 1}"),
               "min: 1", "'protocol.questionnaire.items[2].min' applies only to numeric items");
  expect_error(with("options: [good, poor]", "options: [good, good]"), "good]",
               "'protocol.questionnaire.items[2].options' repeats option 'good'");
  expect_error(with("{id: mood, type: coded", "{id: pain, type: coded"), "{id: pain, type: coded",
               "'protocol.questionnaire.items[2]' repeats item id 'pain' (first at $FILE:12)");
  expect_error(with("{id: mood, type: coded, options: [good, poor]}",
                    "{id: mood, type: boolean, news2_consciousness: true}"),
               "{id: mood",
               "'protocol.questionnaire.items[2]' is a second news2_consciousness item (first at $FILE:13); "
               "NEWS2 reads one");
  expect_error(with("type: coded", "type: text"), "text",
               "'protocol.questionnaire.items[2].type' must be one of numeric, boolean, coded, got 'text'");
}

TEST(ProtocolFileErrors, EproThresholds) {
  const std::string e = "{item: pain, op: \">=\", value: 8, severity: medium}";
  expect_error(with(e, "{item: pian, op: \">=\", value: 8, severity: medium}"), "pian",
               "'protocol.epro_thresholds[0].item' refers to unknown questionnaire item 'pian'");
  expect_error(with(e, "{item: confused, op: \">=\", value: true, severity: high}"), "\">=\"",
               "'protocol.epro_thresholds[0].op' must be \"==\" for boolean item 'confused'");
  expect_error(with(e, "{item: confused, op: \"==\", value: 1, severity: high}"), "1, severity: high}",
               "'protocol.epro_thresholds[0].value' must be true or false");
  expect_error(
      with(e, "{item: pain, op: \">=\", value: 11, severity: medium}"), "11",
      "'protocol.epro_thresholds[0].value' 11 is outside item 'pain' range 0-10, so it could never match");
  expect_error(with(e, "{item: pain, op: \">\", value: 8, severity: medium}"), "\">\"",
               "'protocol.epro_thresholds[0].op' must be one of \">=\", \"<=\", \"==\", got '>'");
  expect_error(
      with(e, "{item: mood, op: \"==\", value: 1, severity: medium}"), "mood, op",
      "'protocol.epro_thresholds[0].item' item 'mood' is coded; thresholds apply to numeric and boolean "
      "items");
}

TEST(ProtocolFileErrors, Patients) {
  expect_error(with("{id: P2, site: S02", "{id: P1, site: S02"), "P1, site: S02",
               "'patients[1].id' repeats patient id 'P1' (first at $FILE:21)");
  expect_error(with("{id: P2, site: S02", "{id: P2, site: S09"), "S09",
               "'patients[1].site' refers to unknown site 'S09' (sites: S01, S02)");
  expect_error(with("status: screened}", "status: withdrawn}"), "{id: P2",
               "'patients[1]' needs enrolled_at for a withdrawn patient");
  expect_error(with("status: screened}", "status: screened, enrolled_at: \"2026-01-02T00:00:00Z\"}"),
               "enrolled_at: \"2026-01-02",
               "'patients[1].enrolled_at' must be absent for a screened patient");
  expect_error(with("{id: S02, name: Site two", "{id: S01, name: Site two"), "S01, name: Site two",
               "'sites[1].id' repeats site id 'S01' (first at $FILE:18)");
  expect_error(with("patients:\n",
                    "patients:\n  - generate: {site: S01, count: 3, id_format: \"P{}\", status: enrolled, "
                    "enrolled_at: \"2026-01-01T00:00:00Z\"}\n"),
               "P1, site: S01", "'patients[1].id' repeats patient id 'P1' (first at $FILE:21)");
  expect_error(with("patients:\n",
                    "patients:\n  - generate: {site: S01, count: 3, id_format: \"P-1\", status: screened}\n"),
               "\"P-1\"",
               "'patients[0].generate.id_format' must contain a placeholder for the patient number, e.g. "
               "\"DEMO-S01-{:04}\"");
  expect_error(
      with("patients:\n",
           "patients:\n  - generate: {site: S01, count: 3, id_format: \"P{:q}\", status: screened}\n"),
      "\"P{:q}\"",
      "'patients[0].generate.id_format' is not a valid format for the patient number (invalid type "
      "specifier); write e.g. \"DEMO-S01-{:04}\"");
  expect_error(
      with("patients:\n",
           "patients:\n  - generate: {site: S01, count: 3, id_format: \"P{}\", status: screened, spo2_scale: "
           "2, spo2_scale_2_every: 2}\n"),
      "spo2_scale_2_every",
      "'patients[0].generate.spo2_scale' and 'patients[0].generate.spo2_scale_2_every' exclude each other");
  expect_error(with("patients:\n",
                    "patients:\n  - generate: {site: S01, count: 0, id_format: \"P{}\", status: screened}\n"),
               "0, id_format", "'patients[0].generate.count' must be between 1 and 100000, got 0");
  expect_error(with("patients:\n",
                    "patients:\n  - generate: {site: S01, count: 2, id_format: \"P{}\", status: enrolled, "
                    "enrolled_at: \"2026-01-01T00:00:00Z\", enrolled_every: -2h}\n"),
               "-2h", "'patients[0].generate.enrolled_every' must not be negative, got '-2h'");
  expect_error(with("patients:\n",
                    "patients:\n  - generate: {site: S01, count: 2, id_format: \"P{}\", status: screened}\n  "
                    "- generate: {site: S02, count: 2, first: 2, id_format: \"P{}\", status: screened}\n"),
               "{site: S02", "'patients[1].generate' repeats patient id 'P2' (first at $FILE:21)");
  expect_error(
      with("patients:\n",
           "patients:\n  - generate: {site: S01, count: 3, id_format: \"P {}\", status: screened}\n"),
      "\"P {}\"",
      "'patients[0].generate.id_format' makes 'P 1' for number 1, which is not 1-64 letters, digits, '-', "
      "'_' or '.'");
  expect_error(with("patients:\n",
                    "patients:\n  - generate: {site: S01, count: 3, id_format: \"P{}\", status: screened, "
                    "enrolled_every: 1h}\n"),
               "enrolled_every", "'patients[0].generate.enrolled_every' needs enrolled_at");
}

}  // namespace
}  // namespace vigil::registry
