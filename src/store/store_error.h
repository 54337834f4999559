#pragma once
// The one error type of every RegistryStore implementation.
//
// what() is a single line that is safe to return to an API client as is: it names ids and statuses
// the client sent or may see, never SQL text, file paths or driver messages. Implementations map
// driver failures (disk full, database locked past the busy timeout, a broken connection) to
// Code::unavailable with a generic message.
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::store {

class StoreError : public std::runtime_error {
 public:
  enum class Code {
    not_found,           // the entity (or one it refers to) does not exist: HTTP 404
    conflict,            // duplicate id or unique key (e.g. a device API key hash): 409
    invalid_transition,  // a status change the rules forbid: 409/422
    invalid_argument,    // a malformed field, cursor or limit: 400/422
    unavailable,         // the storage failed or is not configured for this call: 503
  };

  StoreError(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}

  [[nodiscard]] Code code() const { return code_; }

 private:
  Code code_;
};

// "not_found", "conflict", ...; for logs and tests.
std::string_view to_string(StoreError::Code code);

}  // namespace vigil::store
