#include "loadgen/credentials.h"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unordered_set>

#include "auth/api_key.h"
#include "common/text.h"
#include "loadgen/error.h"

namespace vigil::loadgen {
namespace {

constexpr std::string_view kSpace = " \t";
constexpr std::array<std::string_view, 5> kReserved = {"Host", "Content-Type", "Content-Length",
                                                       "Transfer-Encoding", "Connection"};

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_base64url(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// "header.payload.signature", each base64url; the signature may be empty (the server decides
// which algorithms it accepts, this is only a shape check).
bool looks_like_jwt(std::string_view t) {
  int dots = 0;
  std::size_t segment = 0;
  for (const char c : t) {
    if (c == '.') {
      if (segment == 0 && dots < 2) return false;
      ++dots;
      segment = 0;
    } else if (is_base64url(c)) {
      ++segment;
    } else {
      return false;
    }
  }
  return dots == 2;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  while (!(line = trim(line)).empty()) {
    const std::size_t end = line.find_first_of(kSpace);
    out.push_back(line.substr(0, end));
    line = end == std::string_view::npos ? std::string_view() : line.substr(end);
  }
  return out;
}

Credential parse_line(const std::vector<std::string_view>& f, std::size_t line) {
  Credential c;
  c.line = line;
  if (!valid_patient_id(f[0])) {
    throw LoadgenError(fmt::format("'{}' is not a patient id (1-64 of A-Z a-z 0-9 . _ -)", f[0]));
  }
  c.patient_id = std::string(f[0]);
  if (f.size() == 1) throw LoadgenError("a credential must follow the patient id");
  if (f[1].starts_with("vk_")) {
    if (f.size() > 2) throw LoadgenError("unexpected text after the API key");
    if (!auth::looks_like_api_key(f[1])) {
      throw LoadgenError("malformed API key: expected vk_ and 32 bytes in base64url (43 characters)");
    }
    c.kind = CredentialKind::api_key;
    c.secret = std::string(f[1]);
    return c;
  }
  if (same_header_name(f[1], "Bearer")) {
    if (f.size() == 2) throw LoadgenError("'Bearer' must be followed by a token");
    if (f.size() > 3) throw LoadgenError("unexpected text after the bearer token");
    if (!looks_like_jwt(f[2])) throw LoadgenError("malformed bearer token: expected a JWT (xxx.yyy.zzz)");
    c.kind = CredentialKind::bearer;
    c.secret = std::string(f[2]);
    return c;
  }
  throw LoadgenError("expected an API key 'vk_...' or 'Bearer <jwt>' after the patient id");
}

}  // namespace

bool same_header_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool valid_patient_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Header parse_header(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) throw LoadgenError(fmt::format("'{}' is not 'Name: value'", text));
  const std::string_view name = text.substr(0, colon);
  if (name.empty()) throw LoadgenError("the header name is empty");
  for (const char c : name) {
    if (!is_token_char(c)) throw LoadgenError(fmt::format("'{}' is not a valid header name", name));
  }
  for (const std::string_view reserved : kReserved) {
    if (same_header_name(name, reserved)) {
      throw LoadgenError(fmt::format("{} is written by the load generator and cannot be set", reserved));
    }
  }
  const std::string_view value = trim(text.substr(colon + 1));
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      throw LoadgenError(fmt::format("the value of header {} holds a control character", name));
    }
  }
  return Header{std::string(name), std::string(value)};
}

void append_header_lines(std::string& out, const std::vector<Header>& headers, const Header* credential) {
  auto it = std::back_inserter(out);
  for (const Header& h : headers) {
    if (credential != nullptr &&
        (same_header_name(h.name, credential->name) || same_header_name(h.name, "Authorization") ||
         same_header_name(h.name, "X-API-Key"))) {
      continue;
    }
    fmt::format_to(it, "{}: {}\r\n", h.name, h.value);
  }
  if (credential != nullptr) fmt::format_to(it, "{}: {}\r\n", credential->name, credential->value);
}

Header Credential::header() const {
  if (kind == CredentialKind::api_key) return Header{"X-API-Key", secret};
  return Header{"Authorization", "Bearer " + secret};
}

std::vector<Credential> parse_credentials(std::string_view text, std::string_view source) {
  std::vector<Credential> out;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::vector<std::string_view> f = fields(line);
    if (f.empty() || f[0].starts_with('#')) continue;
    try {
      out.push_back(parse_line(f, number));
    } catch (const LoadgenError& e) {
      throw LoadgenError(fmt::format("{}:{}: {}", source, number, e.what()));
    }
  }
  if (out.empty())
    throw LoadgenError(
        fmt::format("{}: no credentials (expected '<patient_id> <credential>' lines)", source));
  return out;
}

std::vector<Credential> load_credentials(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadgenError(fmt::format("{}: cannot open the credentials file", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw LoadgenError(fmt::format("{}: cannot read the credentials file", path));
  return parse_credentials(text.str(), path);
}

const Credential& credential_for_connection(const std::vector<Credential>& all, std::size_t connection) {
  return all[connection % all.size()];
}

std::vector<Credential> distinct_patients(const std::vector<Credential>& all) {
  std::vector<Credential> out;
  std::unordered_set<std::string_view> seen;
  for (const Credential& c : all) {
    if (seen.insert(c.patient_id).second) out.push_back(c);
  }
  return out;
}

}  // namespace vigil::loadgen
