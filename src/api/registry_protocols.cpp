// POST/GET /v1/trials/{id}/protocols, GET /v1/trials/{id}/protocols/{version}: versioned monitoring
// protocols. An upload is the YAML of a protocol file's `protocol:` section (docs/protocol-file.md),
// checked with the same strict reader the file loader uses, so a typo is refused with its line and
// column instead of silently disabling an alert rule. Each accepted upload is a new version.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>

#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "http/problem.h"
#include "registry/protocol_file.h"
#include "registry/protocol_section.h"
#include "registry/yaml_reader.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;
namespace json = boost::json;

constexpr std::string_view kOrigin = "document";

struct ProtocolProblem {
  std::string message;  // "document:LINE:COL: reason"
  int line = 0;         // 1-based; 0 when no position applies
  int column = 0;
};

// Reads "document:LINE:COL: reason" back into its parts.
ProtocolProblem problem_of(std::string message) {
  ProtocolProblem p{std::move(message)};
  std::string_view rest(p.message);
  if (!rest.starts_with(kOrigin) || rest.size() <= kOrigin.size() || rest[kOrigin.size()] != ':') return p;
  rest.remove_prefix(kOrigin.size() + 1);
  int line = 0;
  int column = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), line);
  if (ec != std::errc{} || end == rest.data() + rest.size() || *end != ':') return p;
  auto [end2, ec2] = std::from_chars(end + 1, rest.data() + rest.size(), column);
  if (ec2 != std::errc{} || end2 == rest.data() + rest.size() || *end2 != ':') return p;
  p.line = line;
  p.column = column;
  return p;
}

// Blocking (YAML parsing of up to kMaxDocumentBytes): nullopt when the document is a valid protocol.
std::optional<ProtocolProblem> check_protocol(const std::string& document, const std::string& trial_id) {
  const registry::YamlReader reader{std::string(kOrigin)};
  try {
    YAML::Node root;
    try {
      root = YAML::Load(document);
    } catch (const YAML::ParserException& e) {
      reader.fail(e.mark, e.msg);
    }
    if (!root || root.IsNull())
      reader.fail(root.Mark(), "the document is empty; it needs at least 'version'");
    try {
      (void)registry::read_protocol_section(reader, root, trial_id);
    } catch (const YAML::Exception& e) {  // a conversion yaml-cpp refused deep inside
      reader.fail(e.mark, e.msg);
    }
  } catch (const registry::ProtocolFileError& e) {
    return problem_of(e.what());
  }
  return std::nullopt;
}

http::Response invalid_protocol(const ProtocolProblem& p) {
  json::object extra{{"errors", json::array{json::object{{"path", "document"}, {"message", p.message}}}}};
  if (p.line > 0) {
    extra["line"] = p.line;
    extra["column"] = p.column;
  }
  return http::problem(http::Status::unprocessable_entity, "invalid-protocol", "Invalid protocol", p.message,
                       std::move(extra));
}

// The trial and whether the caller works at one of its sites, for may_read_trial.
Reply authorize_trial_read(const RegistryRoutes& r, http::RequestContext& ctx, const std::string& trial_id) {
  auto work = [store = r.deps.store, trial_id, sites = sites_of(ctx)] {
    if (!store->get_trial(trial_id)) {
      throw store::StoreError(store::StoreError::Code::not_found, fmt::format("no trial '{}'", trial_id));
    }
    return works_in_trial(*store, sites, trial_id);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  const bool member = *outcome.value;
  auto denied = authorize(r.deps, ctx, "protocol.read", "trial/" + trial_id,
                          [&](const auth::Principal& p) { return may_read_trial(p, trial_id, member); });
  co_return denied;
}

Reply add_protocol(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto trial_id = path_param(ctx, "id");
  if (!trial_id) co_return not_found("trial-not-found", "malformed trial id in the path");
  if (auto denied = authorize(r.deps, ctx, "protocol.create", "trial/" + *trial_id, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  const auto document = body.text("document", Need::required, kMaxDocumentBytes);
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::required, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-protocol", "Invalid protocol", body.errors());
  auto check = [document = *document, trial_id = *trial_id] { return check_protocol(document, trial_id); };
  const auto problem = co_await http::run_blocking(r.deps.blocking, ctx.deadline, std::move(check));
  if (problem) co_return invalid_protocol(*problem);
  auto work = [store = r.deps.store, trial_id = *trial_id, document = *document, change] {
    return store->add_protocol_version(trial_id, document, change);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return created(to_json(*outcome.value, true),
                    fmt::format("/v1/trials/{}/protocols/{}", segment(*trial_id), outcome.value->version));
}

Reply list_protocols(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto trial_id = path_param(ctx, "id");
  if (!trial_id) co_return not_found("trial-not-found", "malformed trial id in the path");
  QueryParams q(ctx.query);
  q.reject_unknown({"cursor", "limit"});
  const auto page = page_of(q);
  if (!q.errors().empty()) co_return invalid_query(q);
  if (auto refused = co_await authorize_trial_read(r, ctx, *trial_id)) co_return refused;
  auto work = [store = r.deps.store, trial_id = *trial_id, page] {
    return store->list_protocol_versions(trial_id, page);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return page_response("protocols", *outcome.value,
                          [](const auto& p) { return to_json(p, false); });
}

Reply get_protocol(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto trial_id = path_param(ctx, "id");
  if (!trial_id) co_return not_found("trial-not-found", "malformed trial id in the path");
  const auto text = ctx.params.get("version");
  std::int64_t version = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc{} || end != text.data() + text.size() || version < 1) {
    co_return not_found("protocol-not-found", "the version in the path must be a positive integer");
  }
  if (auto refused = co_await authorize_trial_read(r, ctx, *trial_id)) co_return refused;
  auto work = [store = r.deps.store, trial_id = *trial_id, version] {
    return store->get_protocol_version(trial_id, version);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  if (!*outcome.value) {
    co_return not_found("protocol-not-found",
                        fmt::format("trial '{}' has no protocol version {}", *trial_id, version));
  }
  co_return http::json_response(http::Status::ok, to_json(**outcome.value, true));
}

}  // namespace

void add_protocol_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::post, "/v1/trials/{id}/protocols",
      [r](http::RequestContext& ctx) { return add_protocol(r, ctx); }, kWriteRoute);
  router.add(
      http::Verb::get, "/v1/trials/{id}/protocols",
      [r](http::RequestContext& ctx) { return list_protocols(r, ctx); }, kReadRoute);
  router.add(
      http::Verb::get, "/v1/trials/{id}/protocols/{version}",
      [r](http::RequestContext& ctx) { return get_protocol(r, ctx); }, kReadRoute);
}

}  // namespace vigil::api::detail
