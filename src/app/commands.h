#pragma once
// The subcommands of the vigil binary that run a node. Each returns the process exit status and
// reports failures as one line on stderr ("vigil: <what went wrong>"), never a stack trace.
#include <CLI/CLI.hpp>

namespace vigil::app {

// `vigil serve [--config FILE]`: runs until SIGINT or SIGTERM, then shuts down in stages; exit 0.
void register_serve_command(CLI::App& app, int& exit_code);
// `vigil demo [--rate N] [--speed X] [--duration D] ...`: a fresh node on the demo trial, driven by
// the simulator; prints a summary; exit 0 when every acknowledged observation was stored.
void register_demo_command(CLI::App& app, int& exit_code);
// `vigil token issue --role R --sub S [--site X]... [--patient P] [--ttl D] [--config F]`.
void register_token_command(CLI::App& app, int& exit_code);
// `vigil audit verify [--config F]`: exit 0 intact, 1 broken (first broken record printed), 2 unreadable.
void register_audit_command(CLI::App& app, int& exit_code);

}  // namespace vigil::app
