#pragma once
// Reads the `patients:` section of a protocol file, explicit entries and `generate:` ranges (internal
// to this module; the format is in registry/protocol_file.h and docs/protocol-file.md). Ids must be
// unique across both kinds and every patient's site one of `sites`. Throws ProtocolFileError.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "registry/registry.h"
#include "registry/yaml_reader.h"

namespace vigil::registry {

std::vector<Patient> read_patients_section(const YamlReader& r, const YAML::Node& node,
                                           const std::vector<Site>& sites, const std::string& trial_id);

}  // namespace vigil::registry
