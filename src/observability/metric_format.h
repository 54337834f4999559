#pragma once
// The lexical pieces of the Prometheus text exposition format 0.0.4, kept apart from the registry
// so that they can be tested exactly: name rules, escaping, and number spelling.
//
// All functions are pure and thread-safe.
#include <string>
#include <string_view>

namespace vigil::observability {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name);

// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus itself).
bool is_valid_label_name(std::string_view name);

// Label values escape backslash, double quote and newline; everything else is kept byte for byte.
void append_escaped_label_value(std::string& out, std::string_view value);

// HELP text escapes backslash and newline only (quotes are legal there).
void append_escaped_help(std::string& out, std::string_view help);

// Spells a sample value the way Prometheus parses it: "+Inf", "-Inf", "NaN"; integral values up to
// 2^53 without a fraction or exponent ("3", not "3e+00"); anything else in the shortest form that
// round-trips ("0.25", "5e-05").
void append_number(std::string& out, double value);
std::string format_number(double value);

}  // namespace vigil::observability
