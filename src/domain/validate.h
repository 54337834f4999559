#pragma once
// Semantic validation of submitted observations and questionnaire responses, after parsing
// (domain/codec.h) and before anything is stored. Validation also normalises: a valid observation
// leaves here with a lower-case id and its values in the code's canonical unit (domain/loinc.h), so
// everything downstream sees one unit per code.
//
// Thread safety: pure functions; callers own the objects they pass.
// Errors: every problem found is returned (not just the first), each with a JSON-path-like field
// path relative to the submitted object and a message meant for the client. Empty means valid.
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/field_error.h"
#include "domain/observation.h"
#include "domain/questionnaire.h"

namespace vigil::domain {

// Device clocks drift; readings stamped further than this after the server's "now" are refused.
inline constexpr Duration kMaxFutureSkew = std::chrono::minutes(5);
inline constexpr std::size_t kMaxIdentifierLength = 64;

// Checks every rule on an observation and normalises it in place (id lower-cased; value, component
// values and units converted to the canonical unit). When errors are returned, `obs` may be
// partially normalised and must not be stored.
std::vector<FieldError> validate(Observation& obs, TimePoint now);

// Checks a response against the questionnaire definition it claims to answer; lower-cases the id.
// Answer paths are "answers.<item id>".
std::vector<FieldError> validate(QuestionnaireResponse& response, const QuestionnaireDefinition& definition,
                                 TimePoint now);

// 8-4-4-4-12 hexadecimal digits, either case.
bool is_uuid(std::string_view text);

}  // namespace vigil::domain
