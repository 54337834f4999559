#pragma once
// Reads the `protocol:` section of a protocol file (internal to this module; the format is in
// registry/protocol_file.h and docs/protocol-file.md). Throws ProtocolFileError on any problem.
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "registry/yaml_reader.h"
#include "rules/protocol.h"

namespace vigil::registry {

rules::Protocol read_protocol_section(const YamlReader& r, const YAML::Node& node,
                                      const std::string& trial_id);

// True when `code` is a LOINC code ("8867-4": up to 7 digits, a dash, the mod-10 check digit).
// On a wrong check digit, `expected` is the digit that would make it valid; otherwise it is 0.
bool valid_loinc(std::string_view code, char& expected);

}  // namespace vigil::registry
