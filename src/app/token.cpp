// `vigil token issue --role admin --sub ops@example.org [--site S01]... [--patient P] [--ttl 1h]`:
// mints a bearer token from the configured key, for operators and tests. Prints the token alone
// on stdout so that scripts can capture it.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/credentials.h"
#include "auth/principal.h"
#include "config/config.h"

namespace vigil::app {
namespace {

struct TokenOptions {
  std::string config_file;
  std::string role;
  std::string subject;
  std::vector<std::string> sites;
  std::string patient;
  std::string ttl;
  std::string private_key;
};

int issue(const TokenOptions& o) {
  try {
    const config::Config config = o.config_file.empty() ? config::Config{} : config::load_file(o.config_file);
    auto auth_config = config.auth;
    if (!o.ttl.empty()) {
      std::chrono::milliseconds ttl{};
      if (!config::parse_duration(o.ttl, ttl) || ttl.count() <= 0) {
        std::fprintf(stderr, "vigil: --ttl must be a duration such as 30m, 8h or 7d\n");
        return 2;
      }
      auth_config.token_ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
    }
    const auto role = auth::parse_role(o.role);
    if (!role) {
      std::fprintf(stderr, "vigil: unknown role '%s' (investigator, cra, data-manager, admin, device, patient)\n",
                   o.role.c_str());
      return 2;
    }
    if ((*role == auth::Role::patient || *role == auth::Role::device) && o.patient.empty()) {
      std::fprintf(stderr, "vigil: a %s token needs --patient\n", o.role.c_str());
      return 2;
    }
    const SystemClock clock;
    const auto signer = make_signer(auth_config, o.private_key);
    const auto claims = make_claims(auth_config, clock, o.subject, o.role, o.sites, o.patient);
    std::printf("%s\n", signer.sign(claims).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigil: %s\n", e.what());
    return 1;
  }
}

}  // namespace

void register_token_command(CLI::App& app, int& exit_code) {
  auto* token = app.add_subcommand("token", "Bearer tokens");
  token->require_subcommand(1);
  auto* cmd = token->add_subcommand("issue", "Mint a bearer token from the configured key (printed on stdout)");
  auto o = std::make_shared<TokenOptions>();
  cmd->add_option("-c,--config", o->config_file, "YAML configuration holding the auth section")
      ->check(CLI::ExistingFile);
  cmd->add_option("--role", o->role, "investigator, cra, data-manager, admin, device or patient")->required();
  cmd->add_option("--sub", o->subject, "subject: who the token stands for")->required();
  cmd->add_option("--site", o->sites, "a site the subject works at (repeatable)");
  cmd->add_option("--patient", o->patient, "patient-app and device tokens: the patient they act for");
  cmd->add_option("--ttl", o->ttl, "lifetime, e.g. 30m or 8h (default: auth.token_ttl)");
  cmd->add_option("--private-key", o->private_key, "PEM private key (RS256/ES256) instead of the HS256 secret")
      ->check(CLI::ExistingFile);
  cmd->callback([o, &exit_code] { exit_code = issue(*o); });
}

}  // namespace vigil::app
