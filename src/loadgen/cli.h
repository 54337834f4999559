#pragma once
// The `loadgen` subcommand of the vigil binary:
//   vigil loadgen --url http://127.0.0.1:8080 --scenario single --mode closed --connections 32
//                 --duration 10s --warmup 2s [--rate 5000] [--json] [--token T] ...
//                 [--header "Name: value"]... [--credentials FILE]
//   vigil loadgen --scenario alert-latency --rate 1000 --alert-fraction 0.01 --credentials FILE
//                 --stream-header "Authorization: Bearer <staff jwt>" [--alert-wait 5s]
// Prints the human-readable report on stdout, or with --json one JSON line on stdout and the
// human-readable block on stderr. Bad options or an unreachable target end the command with exit
// status 1 (via CLI::RuntimeError, which CLI11_PARSE / App::exit turn into the exit code).
#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

namespace vigil::loadgen {

// Adds the subcommand to `app`; the options live as long as the program (owned by the callback).
void register_command(CLI::App& app);

// "250ms", "10s", "1.5s", "2m", or a bare number of seconds. False when malformed or negative.
bool parse_duration(const std::string& text, std::chrono::nanoseconds& out);

}  // namespace vigil::loadgen
