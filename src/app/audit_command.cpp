// `vigil audit verify [--config FILE]`: walks the hash-chained audit trail of the configured
// registry store and reports the first record that no longer verifies (edited, deleted, reordered
// or forged). Exit status: 0 intact, 1 broken, 2 the store could not be read.
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/store_factory.h"
#include "config/config.h"

namespace vigil::app {
namespace {

std::string_view problem_name(store::VerifyResult::Problem p) {
  switch (p) {
    case store::VerifyResult::Problem::hash_mismatch:
      return "hash mismatch";
    case store::VerifyResult::Problem::prev_hash_mismatch:
      return "broken link to the previous record";
    case store::VerifyResult::Problem::seq_gap:
      return "missing record";
    case store::VerifyResult::Problem::none:
      break;
  }
  return "none";
}

int verify(const std::string& config_file) {
  try {
    const config::Config config = config_file.empty() ? config::Config{} : config::load_file(config_file);
    const SystemClock clock;
    // Read-only use: a missing SQLite file would be created empty; refuse that instead.
    const auto db = config.storage.data_dir / "registry.db";
    if (config.registry.backend == "sqlite" && !std::filesystem::exists(db)) {
      std::fprintf(stderr, "vigil: no registry store at %s\n", db.c_str());
      return 2;
    }
    const auto store = open_registry_store(config, config.storage.data_dir, clock);
    const auto result = store->verify_audit();
    if (result.ok) {
      std::printf("audit trail intact: %lld records verified\n", static_cast<long long>(result.checked));
      return 0;
    }
    std::printf("audit trail BROKEN at record %lld (%s): %s; %lld records before it verified\n",
                static_cast<long long>(result.broken_seq), std::string(problem_name(result.problem)).c_str(),
                result.detail.c_str(), static_cast<long long>(result.checked));
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigil: %s\n", e.what());
    return 2;
  }
}

}  // namespace

void register_audit_command(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "The hash-chained audit trail");
  audit->require_subcommand(1);
  auto* cmd = audit->add_subcommand("verify", "Check every audit record's hash chain; exit 1 at the first broken one");
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("-c,--config", *config_file, "YAML configuration naming the registry store")
      ->check(CLI::ExistingFile);
  cmd->callback([config_file, &exit_code] { exit_code = verify(*config_file); });
}

}  // namespace vigil::app
