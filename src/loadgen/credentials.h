#pragma once
// Who the load generator says it is: static request headers (`--header "Name: value"`) and the
// per-patient credentials file (`--credentials FILE`).
//
// A credentials file has one `<patient_id> <credential>` per line, where the credential is a
// device API key (`vk_...`, sent as `X-API-Key`) or `Bearer <jwt>` (sent as `Authorization`).
// Blank lines and lines starting with '#' are skipped; fields are separated by spaces or tabs;
// CRLF line ends are accepted. A device key is bound to one patient on the server, so everything a
// connection sends with a line's credential is about that line's patient.
//
// Pure functions over values; thread-safe. Errors: LoadgenError whose message names the problem
// (and for files "<file>:<line>: ..."); secrets are never echoed into messages.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::loadgen {

struct Header {
  std::string name;
  std::string value;
};

// Parses "Name: value" (optional whitespace around the value). The name must be an RFC 9110
// token; the value may not hold control characters. Host, Content-Type, Content-Length,
// Transfer-Encoding and Connection are refused: the generator writes those itself.
Header parse_header(std::string_view text);

// Header names compare case-insensitively (RFC 9110 5.1).
bool same_header_name(std::string_view a, std::string_view b);

// Appends `headers` as "Name: value\r\n" lines, then `credential` when given. A credential
// replaces every static credential header (Authorization, X-API-Key) and any of its own name, so
// a request never says who it is in two ways.
void append_header_lines(std::string& out, const std::vector<Header>& headers,
                         const Header* credential = nullptr);

enum class CredentialKind { api_key, bearer };

struct Credential {
  std::string patient_id;
  CredentialKind kind = CredentialKind::api_key;
  std::string secret;    // the API key, or the JWT without its "Bearer " scheme
  std::size_t line = 0;  // 1-based, in the file it came from

  // X-API-Key: <key>, or Authorization: Bearer <jwt>.
  [[nodiscard]] Header header() const;
};

// Parses the text of a credentials file; `source` names it in error messages. At least one
// credential is required. The same patient may appear on several lines (several devices).
std::vector<Credential> parse_credentials(std::string_view text, std::string_view source);
// Reads and parses the file at `path`.
std::vector<Credential> load_credentials(const std::string& path);

// The credential of connection `connection` (0-based): the lines in turn, round-robin. `all` must
// not be empty.
const Credential& credential_for_connection(const std::vector<Credential>& all, std::size_t connection);

// Each patient of `all` once, with its first credential, in file order.
std::vector<Credential> distinct_patients(const std::vector<Credential>& all);

// Patient ids as the API accepts them: 1-64 bytes of A-Z a-z 0-9 . _ -
bool valid_patient_id(std::string_view id);

}  // namespace vigil::loadgen
