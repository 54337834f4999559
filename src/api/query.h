#pragma once
// Query-string parameters of GET routes, percent-decoded ("+" as space), with typed readers that
// collect precise errors ("since: not an RFC 3339 time") for a 400 problem.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "domain/field_error.h"

namespace vigil::api {

class QueryParams {
 public:
  // Parses `query` (without '?'); a malformed one (bad percent-encoding) adds an error.
  explicit QueryParams(std::string_view query);

  // The last value given for `name`, if any.
  [[nodiscard]] std::optional<std::string> text(std::string_view name) const;
  // Like text(), recording an error when the value is empty.
  std::optional<std::string> non_empty(std::string_view name);
  std::optional<TimePoint> time(std::string_view name);
  // An integer in [min, max]; an error otherwise.
  std::optional<std::size_t> count(std::string_view name, std::size_t min, std::size_t max);
  // Records an error for every parameter not in `known`.
  void reject_unknown(std::initializer_list<std::string_view> known);

  void add_error(std::string_view name, std::string message) {
    errors_.push_back({std::string(name), std::move(message)});
  }
  [[nodiscard]] const std::vector<domain::FieldError>& errors() const { return errors_; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
  std::vector<domain::FieldError> errors_;
};

}  // namespace vigil::api
