// POST /v1/observations and POST /v1/questionnaire-responses: parse, check the patient, validate,
// append durably, and only then answer 202.
//
// Batches are validated item by item: the valid items are stored and acknowledged, the invalid ones
// are listed by index in "errors" (202 with a per-item report, like WebDAV's 207 but without the
// multistatus format); an item whose id was already stored with other content is one of them. A
// batch with no item accepted or duplicate at all is refused with 422. A body of one
// observation (not a batch) answers with the status of its one problem: 404 unknown patient, 422
// not enrolled, invalid field or idempotency key reused.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api/access.h"
#include "api/append.h"
#include "api/routes.h"
#include "domain/codec.h"
#include "domain/validate.h"
#include "http/deadline.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using http::Status;
namespace json = boost::json;

domain::PaddedInput padded_body(http::Request& request) {
  auto& body = request.body();
  body.reserve(body.size() + domain::kJsonPadding);  // lets simdjson read in place
  return {body.data(), body.size(), body.capacity()};
}

http::Response parse_failure(domain::ParseStatus status, const std::string& message, std::size_t max_batch) {
  switch (status) {
    case domain::ParseStatus::too_many:
      return http::problem(Status::payload_too_large, "batch-too-large", "Batch too large",
                           fmt::format("a batch holds at most {} observations", max_batch));
    case domain::ParseStatus::wrong_shape:
      return http::problem(Status::bad_request, "invalid-body", "Body has the wrong shape", message);
    default:
      return http::problem(Status::bad_request, "malformed-json", "Malformed JSON", message);
  }
}

// Why one item cannot be stored.
struct ItemVerdict {
  registry::PatientCheck::Result patient = registry::PatientCheck::Result::ok;
  std::vector<domain::FieldError> errors;
};

ItemVerdict check_observation(domain::ObservationItem& item, const registry::Registry& registry,
                              TimePoint now) {
  ItemVerdict verdict;
  if (!item.ok()) {
    verdict.errors = std::move(item.errors);
    return verdict;
  }
  auto check = registry.check_patient_for_intake(item.observation.patient_id);
  if (!check.ok()) {
    verdict.patient = check.result;
    verdict.errors.push_back({"patient_id", std::move(check.detail)});
    return verdict;
  }
  verdict.errors = domain::validate(item.observation, now);
  return verdict;
}

http::Response single_item_problem(ItemVerdict verdict) {
  using R = registry::PatientCheck::Result;
  if (verdict.patient == R::unknown) {
    return http::problem(Status::not_found, "unknown-patient", "Unknown patient",
                         verdict.errors.front().message, {{"errors", to_json(verdict.errors)}});
  }
  if (verdict.patient == R::not_enrolled) {
    return http::problem(Status::unprocessable_entity, "patient-not-enrolled", "Patient not enrolled",
                         verdict.errors.front().message, {{"errors", to_json(verdict.errors)}});
  }
  return http::problem(Status::unprocessable_entity, "invalid-observation", "Invalid observation",
                       fmt::format("{} field error(s)", verdict.errors.size()),
                       {{"errors", to_json(verdict.errors)}});
}

constexpr const char* kKeyReused =
    "this id was stored earlier with different content; an id names one reading: send a new reading "
    "with a new id, and a retry with exactly the original content";

// What one request hands to store(): the items to append and, for a batch, each item's index in
// the request and the per-index errors found so far.
struct Submission {
  bool batch = false;
  std::vector<log::AppendItem> items;
  std::vector<std::size_t> request_index;  // parallel to items; batch only
  json::array errors;                      // {"index", "errors"} in index order; batch only
};

// Adds the items the log refused as idempotency-key conflicts to the batch's errors, keeping them
// in index order. Returns how many there were.
std::size_t report_conflicts(const std::vector<log::ItemOutcome>& outcomes, Submission& sub) {
  std::size_t conflicts = 0;
  for (std::size_t k = 0; k < outcomes.size(); ++k) {
    if (!outcomes[k].conflict) continue;
    ++conflicts;
    sub.errors.push_back(json::object{{"index", sub.request_index[k]},
                                      {"errors", to_json({domain::FieldError{"id", kKeyReused}})}});
  }
  if (conflicts > 0) {
    std::stable_sort(sub.errors.begin(), sub.errors.end(), [](const json::value& a, const json::value& b) {
      return a.at("index").to_number<std::uint64_t>() < b.at("index").to_number<std::uint64_t>();
    });
  }
  return conflicts;
}

// Stores the submission's items and answers 202, or 503 when the log cannot take or keep them.
// An item whose id the log already holds with other content is not acknowledged: a single
// submission answers 422 idempotency-key-reused (as the IETF Idempotency-Key draft and Stripe
// do), a batch lists it by index among its errors.
boost::asio::awaitable<http::Response> store(const ApiDeps& deps, const ApiOptions& options,
                                             const http::RequestContext& ctx, Submission sub) {
  const std::size_t submitted = sub.items.size();
  std::vector<log::AppendItem> items = std::move(sub.items);
  auto outcome = co_await append(deps.log, std::move(items), ctx.deadline);
  if (outcome.timed_out) throw http::DeadlineExceeded();  // 504; a retry with the same ids is safe
  if (!outcome.queued) {
    co_return unavailable("intake-overloaded", "Intake queue full",
                          "the durable intake queue is full; retry the same request later",
                          options.retry_after);
  }
  if (!outcome.result.ok()) {
    co_return unavailable("storage-unavailable", "Storage unavailable",
                          "the observations could not be stored; nothing of this request was kept",
                          options.retry_after);
  }
  const auto& outcomes = outcome.result.items;
  std::size_t duplicates = 0;
  for (const auto& item : outcomes) duplicates += item.duplicate ? 1 : 0;
  if (!sub.batch) {
    if (!outcomes.empty() && outcomes.front().conflict) {
      co_return http::problem(Status::unprocessable_entity, "idempotency-key-reused",
                              "Idempotency key reused", kKeyReused,
                              {{"errors", to_json({domain::FieldError{"id", kKeyReused}})}});
    }
  } else if (const std::size_t conflicts = report_conflicts(outcomes, sub); conflicts == submitted) {
    co_return http::problem(Status::unprocessable_entity, "invalid-observations",
                            "No valid observation in the batch",
                            fmt::format("all {} observations were refused", sub.errors.size()),
                            {{"errors", std::move(sub.errors)}});
  } else {
    // Conflicts are neither accepted nor duplicates: they are among the errors.
    json::object body{{"accepted", submitted - duplicates - conflicts}, {"duplicates", duplicates}};
    if (!sub.errors.empty()) {
      body["rejected"] = sub.errors.size();
      body["errors"] = std::move(sub.errors);
    }
    co_return http::json_response(Status::accepted, body);
  }
  json::object body{{"accepted", submitted - duplicates}, {"duplicates", duplicates}};
  co_return http::json_response(Status::accepted, body);
}

boost::asio::awaitable<std::optional<http::Response>> post_observations(const ApiDeps& deps,
                                                                        const ApiOptions& options,
                                                                        http::RequestContext& ctx) {
  if (!has_json_body(ctx.request)) co_return unsupported_media_type(ctx.request);
  auto parsed = domain::parse_observations(padded_body(ctx.request), options.max_batch);
  if (parsed.status != domain::ParseStatus::ok)
    co_return parse_failure(parsed.status, parsed.message, options.max_batch);

  // Authorisation before anything is validated or stored: a device or patient app submits only for
  // its own patient, so one foreign item refuses the whole request (nothing is stored).
  std::string_view checked;
  for (const auto& item : parsed.items) {
    const std::string_view patient = item.observation.patient_id;
    if (patient.empty() || patient == checked) continue;
    const auto decision =
        decide(ctx, [&](const auth::Principal& p) { return auth::may_submit_for(p, patient); });
    if (!decision) {
      co_return deny_unless(deps, ctx, decision, "observation.submit", fmt::format("patient/{}", patient));
    }
    checked = patient;
  }
  // A batch whose items name no patient still needs a caller who may submit at all: staff are 403
  // by role before any item is validated, as on every other route (role first, then the entity).
  if (checked.empty()) {
    if (auto denied = authorize(deps, ctx, "observation.submit", "observations",
                                [](const auth::Principal& p) { return auth::may_submit(p); })) {
      co_return denied;
    }
  }

  const TimePoint now = deps.clock.now();
  Submission sub;
  sub.batch = parsed.batch;
  sub.items.reserve(parsed.items.size());
  if (sub.batch) sub.request_index.reserve(parsed.items.size());
  for (std::size_t i = 0; i < parsed.items.size(); ++i) {
    auto& item = parsed.items[i];
    auto verdict = check_observation(item, deps.registry, now);
    if (!verdict.errors.empty()) {
      if (!parsed.batch) co_return single_item_problem(std::move(verdict));
      sub.errors.push_back(json::object{{"index", i}, {"errors", to_json(verdict.errors)}});
      continue;
    }
    auto& obs = item.observation;
    // Encoded first: the item then takes the observation's strings instead of copying them.
    std::string payload = domain::encode(obs);
    sub.items.push_back(log::AppendItem{log::RecordKind::observation, std::move(obs.id),
                                        std::move(obs.patient_id), std::move(obs.code), obs.effective_time,
                                        std::move(payload), ctx.traceparent});
    if (sub.batch) sub.request_index.push_back(i);
  }
  if (sub.items.empty()) {
    co_return http::problem(Status::unprocessable_entity, "invalid-observations",
                            "No valid observation in the batch",
                            fmt::format("all {} observations were refused", parsed.items.size()),
                            {{"errors", std::move(sub.errors)}});
  }
  auto answer = co_await store(deps, options, ctx, std::move(sub));
  co_return answer;
}

boost::asio::awaitable<std::optional<http::Response>> post_questionnaire_response(const ApiDeps& deps,
                                                                                  const ApiOptions& options,
                                                                                  http::RequestContext& ctx) {
  if (!has_json_body(ctx.request)) co_return unsupported_media_type(ctx.request);
  auto parsed = domain::parse_questionnaire_response(padded_body(ctx.request));
  if (parsed.status != domain::ParseStatus::ok) co_return parse_failure(parsed.status, parsed.message, 1);
  if (!parsed.errors.empty()) {
    co_return http::problem(
        Status::unprocessable_entity, "invalid-questionnaire-response", "Invalid questionnaire response",
        fmt::format("{} field error(s)", parsed.errors.size()), {{"errors", to_json(parsed.errors)}});
  }
  auto& response = parsed.response;
  if (auto denied = authorize(
          deps, ctx, "questionnaire-response.submit", fmt::format("patient/{}", response.patient_id),
          [&](const auth::Principal& p) { return auth::may_submit_for(p, response.patient_id); })) {
    co_return denied;
  }
  auto check = deps.registry.check_patient_for_intake(response.patient_id);
  if (!check.ok()) {
    ItemVerdict verdict{check.result, {{"patient_id", check.detail}}};
    co_return single_item_problem(std::move(verdict));
  }
  const auto protocol = deps.registry.protocol(check.patient->trial_id);
  if (!protocol || protocol->questionnaire.id.empty() ||
      protocol->questionnaire.id != response.questionnaire_id) {
    const std::vector<domain::FieldError> errs{
        {"questionnaire",
         fmt::format("'{}' is not a questionnaire of this patient's trial", response.questionnaire_id)}};
    co_return http::problem(Status::unprocessable_entity, "invalid-questionnaire-response",
                            "Invalid questionnaire response", errs.front().message,
                            {{"errors", to_json(errs)}});
  }
  auto errs = domain::validate(response, protocol->questionnaire, deps.clock.now());
  if (!errs.empty()) {
    co_return http::problem(Status::unprocessable_entity, "invalid-questionnaire-response",
                            "Invalid questionnaire response", fmt::format("{} field error(s)", errs.size()),
                            {{"errors", to_json(errs)}});
  }
  Submission sub;
  std::string payload = domain::encode(response);  // first: the item then takes the response's strings
  sub.items.push_back(log::AppendItem{log::RecordKind::questionnaire_response, std::move(response.id),
                                      std::move(response.patient_id), std::move(response.questionnaire_id),
                                      response.authored, std::move(payload), ctx.traceparent});
  auto answer = co_await store(deps, options, ctx, std::move(sub));
  co_return answer;
}

}  // namespace

void add_intake_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options) {
  const http::RouteOptions intake{.group = "intake", .priority = http::RoutePriority::high};
  router.add(
      http::Verb::post, "/v1/observations",
      [deps, options](http::RequestContext& ctx) { return post_observations(deps, options, ctx); }, intake);
  router.add(
      http::Verb::post, "/v1/questionnaire-responses",
      [deps, options](http::RequestContext& ctx) { return post_questionnaire_response(deps, options, ctx); },
      intake);
}

}  // namespace vigil::api::detail
