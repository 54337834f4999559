#pragma once
// One problem with one field of a submitted observation or questionnaire response, as reported back
// to the client. Pure data.
#include <string>

namespace vigil::domain {

struct FieldError {
  // JSON-path-like location relative to the submitted object: "id", "value", "components[1].value",
  // "answers.pain". Empty when the problem is the item as a whole (an array element that is not an
  // object).
  std::string path;
  std::string message;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

}  // namespace vigil::domain
