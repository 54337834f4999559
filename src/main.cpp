// The vigil binary: argument parsing only. Everything else lives in the vigil_core library.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"
#include "loadgen/cli.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Vigil: real-time safety monitoring for clinical trials"};
  app.require_subcommand(1);
  int exit_code = 0;
  vigil::app::register_serve_command(app, exit_code);
  vigil::app::register_demo_command(app, exit_code);
  vigil::app::register_token_command(app, exit_code);
  vigil::app::register_audit_command(app, exit_code);
  vigil::loadgen::register_command(app);
  app.add_subcommand("version", "Print the version")->callback([] {
    std::printf("vigil %s\n", VIGIL_VERSION);
  });
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
