#include "registry/protocol_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>

#include "registry/patients_section.h"
#include "registry/protocol_section.h"
#include "registry/yaml_reader.h"

namespace vigil::registry {
namespace {

Trial read_trial(const YamlReader& r, const YAML::Node& node) {
  const Mapping m(r, node, "trial", {"id", "name", "phase", "status"}, {});
  Trial t;
  t.id = r.identifier(m.at("id"), m.path("id"));
  t.name = r.text(m.at("name"), m.path("name"));
  t.phase = r.string(m.at("phase"), m.path("phase"));
  static const std::vector<std::string> phases{"1", "1/2", "2", "2/3", "3", "4"};
  if (std::find(phases.begin(), phases.end(), t.phase) == phases.end()) {
    r.fail(m.at("phase"),
           fmt::format("'trial.phase' must be one of {}, got '{}'", fmt::join(phases, ", "), t.phase));
  }
  const auto status_text = r.string(m.at("status"), m.path("status"));
  const auto status = parse_trial_status(status_text);
  if (!status) {
    r.fail(m.at("status"), fmt::format("'trial.status' must be one of planned, recruiting, active, suspended, completed, terminated, "
                                       "got '{}'",
                                       status_text));
  }
  t.status = *status;
  return t;
}

std::string country(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  auto c = r.string(n, path);
  if (c.size() != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
    r.fail(n, fmt::format("'{}' must be an ISO 3166-1 alpha-2 code such as GB, got '{}'", path, c));
  }
  return c;
}

// The shape of an IANA name ("UTC", "Europe/London", "America/Argentina/Buenos_Aires"); whether the
// zone exists is not checked, as g++ 12's standard library has no time-zone database.
std::string timezone(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  auto tz = r.string(n, path);
  const bool chars_ok = std::all_of(tz.begin(), tz.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '+' || c == '/';
  });
  const bool shape_ok = tz == "UTC" || (tz.find('/') != std::string::npos && tz.front() != '/' &&
                                        tz.back() != '/' && tz.find("//") == std::string::npos);
  if (!chars_ok || !shape_ok) {
    r.fail(n, fmt::format("'{}' must be an IANA time zone such as Europe/London or UTC, got '{}'", path, tz));
  }
  return tz;
}

std::vector<Site> read_sites(const YamlReader& r, const YAML::Node& node, const std::string& trial_id) {
  r.sequence(node, "sites");
  if (node.size() == 0) r.fail(node, "'sites' must list at least one site");
  std::vector<Site> sites;
  std::map<std::string, YAML::Mark, std::less<>> seen;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const Mapping m(r, node[i], fmt::format("sites[{}]", i),
                    {"id", "name", "country", "timezone", "principal_investigator"}, {});
    Site s;
    s.id = r.identifier(m.at("id"), m.path("id"));
    if (const auto it = seen.find(s.id); it != seen.end()) {
      r.fail(m.at("id"),
             fmt::format("'{}' repeats site id '{}' (first at {})", m.path("id"), s.id, r.where(it->second)));
    }
    seen.emplace(s.id, m.at("id").Mark());
    s.trial_id = trial_id;
    s.name = r.text(m.at("name"), m.path("name"));
    s.country = country(r, m.at("country"), m.path("country"));
    s.timezone = timezone(r, m.at("timezone"), m.path("timezone"));
    s.principal_investigator = r.text(m.at("principal_investigator"), m.path("principal_investigator"));
    sites.push_back(std::move(s));
  }
  return sites;
}

RegistryContents parse(const YamlReader& r, const YAML::Node& root) {
  if (!root || root.IsNull()) {
    r.fail(root.Mark(), "the file is empty; it needs trial, protocol, sites and patients");
  }
  const Mapping m(r, root, "", {"trial", "protocol", "sites", "patients"}, {});
  RegistryContents c;
  c.trials.push_back(read_trial(r, m.at("trial")));
  const auto& trial_id = c.trials.front().id;
  c.protocols.push_back(
      std::make_shared<const rules::Protocol>(read_protocol_section(r, m.at("protocol"), trial_id)));
  c.sites = read_sites(r, m.at("sites"), trial_id);
  c.patients = read_patients_section(r, m.at("patients"), c.sites, trial_id);
  return c;
}

}  // namespace

RegistryContents parse_protocol_text(const std::string& yaml, const std::string& origin) {
  const YamlReader r(origin);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    r.fail(e.mark, e.msg);
  }
  try {
    return parse(r, root);
  } catch (const YAML::Exception& e) {  // a conversion yaml-cpp refused deep inside
    r.fail(e.mark, e.msg);
  }
}

RegistryContents read_protocol_file(const std::filesystem::path& file) {
  std::error_code ec;
  std::ifstream in(file);
  if (!in || !std::filesystem::is_regular_file(file, ec)) {
    throw ProtocolFileError(
        fmt::format("{}: cannot read protocol file (missing, unreadable or not a file)", file.string()));
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_protocol_text(text, file.string());
}

std::unique_ptr<Registry> load_protocol_file(const std::filesystem::path& file) {
  return std::make_unique<MemoryRegistry>(read_protocol_file(file));
}

}  // namespace vigil::registry
