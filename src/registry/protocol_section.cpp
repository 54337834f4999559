#include "registry/protocol_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "domain/loinc.h"

namespace vigil::registry {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

std::string loinc_code(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  auto code = r.text(n, path);
  char expected = 0;
  if (!valid_loinc(code, expected)) {
    if (expected != 0) {
      r.fail(n, fmt::format("'{}' {} has a wrong LOINC check digit (expected {}-{})", path, code,
                            code.substr(0, code.find('-')), expected));
    }
    r.fail(n, fmt::format("'{}' must be a LOINC code such as 8867-4, got '{}'", path, code));
  }
  return code;
}

rules::News2Band news2_band(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  // "none" (total 0) is not offered: it would raise an alert for every routine score.
  static const std::map<std::string, rules::News2Band, std::less<>> bands{
      {"low", rules::News2Band::low},
      {"low-medium", rules::News2Band::low_medium},
      {"medium", rules::News2Band::medium},
      {"high", rules::News2Band::high}};
  const auto s = r.string(n, path);
  const auto it = bands.find(s);
  if (it == bands.end()) {
    r.fail(n, fmt::format("'{}' must be one of low, low-medium, medium, high, got '{}'", path, s));
  }
  return it->second;
}

void read_news2(const YamlReader& r, const YAML::Node& node, rules::News2Settings& out) {
  const Mapping m(r, node, "protocol.news2", {}, {"enabled", "window", "min_alert_band"});
  if (m.has("enabled")) out.enabled = r.boolean(m.at("enabled"), m.path("enabled"));
  if (m.has("window")) out.window = r.duration(m.at("window"), m.path("window"), minutes(1), hours(24));
  if (m.has("min_alert_band")) {
    out.min_alert_band = news2_band(r, m.at("min_alert_band"), m.path("min_alert_band"));
  }
}

void read_ctcae(const YamlReader& r, const YAML::Node& node, rules::CtcaeSettings& out) {
  const Mapping m(r, node, "protocol.ctcae", {}, {"enabled", "min_alert_grade"});
  if (m.has("enabled")) out.enabled = r.boolean(m.at("enabled"), m.path("enabled"));
  if (m.has("min_alert_grade")) {
    // Grade 5 is death: not something a monitoring alert can be for.
    out.min_alert_grade =
        static_cast<int>(r.integer(m.at("min_alert_grade"), m.path("min_alert_grade"), 1, 4));
  }
}

rules::Threshold read_threshold(const YamlReader& r, const YAML::Node& node, const std::string& path) {
  const Mapping m(r, node, path, {"code", "severity"}, {"low", "high"});
  rules::Threshold t;
  t.code = loinc_code(r, m.at("code"), m.path("code"));
  const auto* info = domain::find_code(t.code);
  if (!info) {
    std::vector<std::string_view> codes;
    for (const auto& c : domain::supported_codes()) {
      if (c.role != domain::CodeRole::panel) codes.push_back(c.code);
    }
    r.fail(m.at("code"), fmt::format("'{}' {} is not a code Vigil accepts (supported: {})", m.path("code"),
                                     t.code, fmt::join(codes, ", ")));
  }
  if (info->role == domain::CodeRole::panel) {
    r.fail(m.at("code"), fmt::format("'{}' {} is a panel without a value of its own; set thresholds on its "
                                     "components ({})",
                                     m.path("code"), t.code, fmt::join(info->components, ", ")));
  }
  // A limit no living patient can reach would never fire: most likely a value in the wrong unit.
  const auto limit = [&](std::string_view key) {
    const auto& n = m.at(key);
    const double v = r.number(n, m.path(key));
    if (!info->range.contains(v)) {
      r.fail(n, fmt::format("'{}' {} is outside the possible {} readings ({} {}); thresholds are in {}",
                            m.path(key), v, info->display, info->range.describe(), info->unit, info->unit));
    }
    return v;
  };
  if (m.has("low")) t.low = limit("low");
  if (m.has("high")) t.high = limit("high");
  if (!t.low && !t.high) r.fail(node, fmt::format("'{}' needs low, high or both", path));
  if (t.low && t.high && *t.low >= *t.high) {
    r.fail(m.at("low"), fmt::format("'{}' low ({}) must be below high ({})", path, *t.low, *t.high));
  }
  t.severity = r.severity(m.at("severity"), m.path("severity"));
  return t;
}

// Rule ids are "threshold:<code>" and "epro:<item>", and alerts are deduplicated by rule id, so two
// entries for one code or item would fight over one alert: each may appear once.
void read_thresholds(const YamlReader& r, const YAML::Node& node, std::vector<rules::Threshold>& out) {
  r.sequence(node, "protocol.thresholds");
  std::map<std::string, YAML::Mark, std::less<>> seen;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto path = fmt::format("protocol.thresholds[{}]", i);
    auto t = read_threshold(r, node[i], path);
    if (const auto it = seen.find(t.code); it != seen.end()) {
      r.fail(node[i], fmt::format("'{}' repeats code {} (first at {}); put low and high in one entry", path,
                                  t.code, r.where(it->second)));
    }
    seen.emplace(t.code, node[i].Mark());
    out.push_back(std::move(t));
  }
}

domain::ItemType item_type(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  const auto s = r.string(n, path);
  if (s == "numeric") return domain::ItemType::numeric;
  if (s == "boolean") return domain::ItemType::boolean;
  if (s == "coded") return domain::ItemType::coded;
  r.fail(n, fmt::format("'{}' must be one of numeric, boolean, coded, got '{}'", path, s));
}

domain::QuestionnaireItem read_item(const YamlReader& r, const YAML::Node& node, const std::string& path) {
  const Mapping m(r, node, path, {"id", "type"},
                  {"text", "loinc", "min", "max", "options", "required", "news2_consciousness"});
  domain::QuestionnaireItem item;
  item.id = r.text(m.at("id"), m.path("id"));
  item.type = item_type(r, m.at("type"), m.path("type"));
  if (m.has("text")) item.text = r.string(m.at("text"), m.path("text"));
  if (m.has("loinc")) item.loinc = loinc_code(r, m.at("loinc"), m.path("loinc"));
  if (m.has("required")) item.required = r.boolean(m.at("required"), m.path("required"));
  const auto only_for = [&](std::string_view key, domain::ItemType type, std::string_view type_name) {
    if (m.has(key) && item.type != type) {
      r.fail(m.key_mark(key), fmt::format("'{}' applies only to {} items", m.path(key), type_name));
    }
  };
  only_for("min", domain::ItemType::numeric, "numeric");
  only_for("max", domain::ItemType::numeric, "numeric");
  only_for("options", domain::ItemType::coded, "coded");
  only_for("news2_consciousness", domain::ItemType::boolean, "boolean");
  if (item.type == domain::ItemType::numeric) {
    if (!m.has("min") || !m.has("max")) {
      r.fail(node, fmt::format("'{}' is numeric and needs min and max", path));
    }
    item.min = r.number(m.at("min"), m.path("min"));
    item.max = r.number(m.at("max"), m.path("max"));
    if (item.min >= item.max) {
      r.fail(m.at("min"), fmt::format("'{}' min ({}) must be below max ({})", path, item.min, item.max));
    }
  }
  if (item.type == domain::ItemType::coded) {
    if (!m.has("options")) r.fail(node, fmt::format("'{}' is coded and needs options", path));
    const auto& options = r.sequence(m.at("options"), m.path("options"));
    if (options.size() == 0) {
      r.fail(options, fmt::format("'{}' must list at least one option", m.path("options")));
    }
    for (std::size_t i = 0; i < options.size(); ++i) {
      auto code = r.text(options[i], fmt::format("{}[{}]", m.path("options"), i));
      if (std::find(item.options.begin(), item.options.end(), code) != item.options.end()) {
        r.fail(options[i], fmt::format("'{}' repeats option '{}'", m.path("options"), code));
      }
      item.options.push_back(std::move(code));
    }
  }
  if (m.has("news2_consciousness")) {
    item.news2_consciousness = r.boolean(m.at("news2_consciousness"), m.path("news2_consciousness"));
  }
  return item;
}

void read_questionnaire(const YamlReader& r, const YAML::Node& node, domain::QuestionnaireDefinition& out) {
  const Mapping m(r, node, "protocol.questionnaire", {"id", "version", "items"}, {});
  out.id = r.text(m.at("id"), m.path("id"));
  out.version = r.text(m.at("version"), m.path("version"));
  const auto& items = r.sequence(m.at("items"), m.path("items"));
  if (items.size() == 0) r.fail(items, "'protocol.questionnaire.items' must list at least one item");
  std::map<std::string, YAML::Mark, std::less<>> seen;
  std::optional<YAML::Mark> consciousness;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto path = fmt::format("protocol.questionnaire.items[{}]", i);
    auto item = read_item(r, items[i], path);
    if (const auto it = seen.find(item.id); it != seen.end()) {
      r.fail(items[i],
             fmt::format("'{}' repeats item id '{}' (first at {})", path, item.id, r.where(it->second)));
    }
    if (item.news2_consciousness) {
      if (consciousness) {
        r.fail(items[i],
               fmt::format("'{}' is a second news2_consciousness item (first at {}); NEWS2 reads one", path,
                           r.where(*consciousness)));
      }
      consciousness = items[i].Mark();
    }
    seen.emplace(item.id, items[i].Mark());
    out.items.push_back(std::move(item));
  }
}

rules::Comparison comparison(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  const auto s = r.string(n, path);
  if (s == ">=") return rules::Comparison::greater_or_equal;
  if (s == "<=") return rules::Comparison::less_or_equal;
  if (s == "==") return rules::Comparison::equal;
  r.fail(n, fmt::format("'{}' must be one of \">=\", \"<=\", \"==\", got '{}'", path, s));
}

rules::EproThreshold read_epro_threshold(const YamlReader& r, const YAML::Node& node, const std::string& path,
                                         const domain::QuestionnaireDefinition& q) {
  const Mapping m(r, node, path, {"item", "op", "value", "severity"}, {});
  rules::EproThreshold t;
  t.item_id = r.text(m.at("item"), m.path("item"));
  const auto item =
      std::find_if(q.items.begin(), q.items.end(), [&](const auto& i) { return i.id == t.item_id; });
  if (item == q.items.end()) {
    r.fail(m.at("item"),
           fmt::format("'{}' refers to unknown questionnaire item '{}'", m.path("item"), t.item_id));
  }
  t.op = comparison(r, m.at("op"), m.path("op"));
  const auto& value = m.at("value");
  switch (item->type) {
    case domain::ItemType::numeric:
      t.value = r.number(value, m.path("value"));
      if (t.value < item->min || t.value > item->max) {
        r.fail(value, fmt::format("'{}' {} is outside item '{}' range {}-{}, so it could never match",
                                  m.path("value"), t.value, item->id, item->min, item->max));
      }
      break;
    case domain::ItemType::boolean:
      if (t.op != rules::Comparison::equal) {
        r.fail(m.at("op"), fmt::format("'{}' must be \"==\" for boolean item '{}'", m.path("op"), item->id));
      }
      t.value = r.boolean(value, m.path("value")) ? 1 : 0;
      break;
    case domain::ItemType::coded:
      r.fail(m.at("item"),
             fmt::format("'{}' item '{}' is coded; thresholds apply to numeric and boolean items",
                         m.path("item"), item->id));
  }
  t.severity = r.severity(m.at("severity"), m.path("severity"));
  return t;
}

void read_epro_thresholds(const YamlReader& r, const YAML::Node& node, const YAML::Mark& key_mark,
                          rules::Protocol& p) {
  r.sequence(node, "protocol.epro_thresholds");
  if (node.size() > 0 && p.questionnaire.items.empty()) {
    r.fail(key_mark, "'protocol.epro_thresholds' needs a 'protocol.questionnaire' to refer to");
  }
  std::map<std::string, YAML::Mark, std::less<>> seen;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto path = fmt::format("protocol.epro_thresholds[{}]", i);
    auto t = read_epro_threshold(r, node[i], path, p.questionnaire);
    if (const auto it = seen.find(t.item_id); it != seen.end()) {
      r.fail(node[i],
             fmt::format("'{}' repeats item '{}' (first at {})", path, t.item_id, r.where(it->second)));
    }
    seen.emplace(t.item_id, node[i].Mark());
    p.epro_thresholds.push_back(std::move(t));
  }
}

}  // namespace

rules::Protocol read_protocol_section(const YamlReader& r, const YAML::Node& node,
                                      const std::string& trial_id) {
  const Mapping m(r, node, "protocol", {"version"},
                  {"news2", "ctcae", "missing_data_gap", "thresholds", "questionnaire", "epro_thresholds"});
  rules::Protocol p;
  p.trial_id = trial_id;
  p.version = static_cast<int>(r.integer(m.at("version"), m.path("version"), 1, 1'000'000));
  if (m.has("news2")) read_news2(r, m.at("news2"), p.news2);
  if (m.has("ctcae")) read_ctcae(r, m.at("ctcae"), p.ctcae);
  if (m.has("missing_data_gap")) {
    p.missing_data_gap =
        r.duration(m.at("missing_data_gap"), m.path("missing_data_gap"), minutes(1), hours(24 * 30));
  }
  if (m.has("thresholds")) read_thresholds(r, m.at("thresholds"), p.thresholds);
  // The questionnaire before its thresholds, whatever the order in the file.
  if (m.has("questionnaire")) read_questionnaire(r, m.at("questionnaire"), p.questionnaire);
  if (m.has("epro_thresholds")) {
    read_epro_thresholds(r, m.at("epro_thresholds"), m.key_mark("epro_thresholds"), p);
  }
  return p;
}

bool valid_loinc(std::string_view code, char& expected) {
  expected = 0;
  const auto dash = code.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 7 || dash + 2 != code.size()) return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i != dash && (code[i] < '0' || code[i] > '9')) return false;
  }
  // LOINC's mod-10 check digit (the Luhn scheme): double every other digit from the right, starting
  // with the rightmost, and sum the digits of the results.
  int sum = 0;
  bool twice = true;
  for (std::size_t i = dash; i-- > 0;) {
    int d = code[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  const char check = static_cast<char>('0' + (10 - sum % 10) % 10);
  if (code.back() == check) return true;
  expected = check;
  return false;
}

}  // namespace vigil::registry
