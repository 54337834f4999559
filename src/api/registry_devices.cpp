// POST/GET /v1/devices, GET /v1/devices/{serial}, POST /v1/devices/{serial}/revoke and /bind.
// A device's API key is generated here and returned once, in the creation response; the store
// keeps only its hash (auth/api_key.h) and no response ever carries either again.
#include <fmt/format.h>

#include "api/access.h"
#include "api/registry_common.h"
#include "api/registry_json.h"
#include "auth/api_key.h"
#include "http/problem.h"

namespace vigil::api::detail {
namespace {

using Reply = boost::asio::awaitable<std::optional<http::Response>>;
namespace json = boost::json;

Reply create_device(const RegistryRoutes& r, http::RequestContext& ctx) {
  if (auto denied = authorize(r.deps, ctx, "device.create", "device", auth::may_manage)) co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::Device device;
  device.serial = body.id("serial", Need::required).value_or("");
  device.type = body.text("type", Need::required, kMaxNameBytes).value_or("");
  device.patient_id = body.id("patient_id", Need::optional).value_or("");
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-device", "Invalid device", body.errors());
  const std::string key = auth::generate_api_key();
  device.api_key_hash = auth::hash_api_key(key);
  auto work = [store = r.deps.store, device, change] { return store->create_device(device, change); };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  auto out = to_json(*outcome.value);
  out["api_key"] = key;
  auto res = created(out, "/v1/devices/" + segment(outcome.value->serial));
  res.set(http::bhttp::field::cache_control, "no-store");  // the key must not linger in caches
  co_return res;
}

Reply list_devices(const RegistryRoutes& r, http::RequestContext& ctx) {
  if (auto denied = authorize(r.deps, ctx, "device.list", "device", may_read_records)) co_return denied;
  QueryParams q(ctx.query);
  q.reject_unknown({"patient", "cursor", "limit"});
  store::DeviceFilter filter;
  filter.patient_id = q.non_empty("patient");
  const auto page = page_of(q);
  if (!q.errors().empty()) co_return invalid_query(q);
  auto work = [store = r.deps.store, filter, page] { return store->list_devices(filter, page); };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  co_return page_response("devices", *outcome.value,
                          [](const auto& d) { return to_json(d); });
}

Reply get_device(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto serial = path_param(ctx, "serial");
  if (!serial) co_return not_found("device-not-found", "malformed device serial in the path");
  if (auto denied = authorize(r.deps, ctx, "device.read", "device/" + *serial, may_read_records))
    co_return denied;
  auto work = [store = r.deps.store, serial = *serial] { return store->get_device(serial); };
  auto outcome = co_await store_call(r, ctx, CallKind::read, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  if (!*outcome.value) co_return not_found("device-not-found", fmt::format("no device '{}'", *serial));
  co_return http::json_response(http::Status::ok, to_json(**outcome.value));
}

Reply revoke_device(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto serial = path_param(ctx, "serial");
  if (!serial) co_return not_found("device-not-found", "malformed device serial in the path");
  if (auto denied = authorize(r.deps, ctx, "device.revoke", "device/" + *serial, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty())
    co_return invalid_fields("invalid-revocation", "Invalid revocation", body.errors());
  auto work = [store = r.deps.store, serial = *serial, change] {
    auto revoke = [&] { return store->revoke_device(serial, change); };
    auto status_now = [&] {
      auto d = store->get_device(serial);
      return d ? std::string(d->revoked ? "revoked" : "active") : std::string();
    };
    return transition(revoke, status_now, "revoked");
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  // The key stops working on this node now, not when its cache entry expires.
  if (r.deps.device_key_changed) r.deps.device_key_changed(outcome.value->api_key_hash);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

// {"patient_id": "P1"} binds; {"patient_id": null} unbinds.
Reply bind_device(const RegistryRoutes& r, http::RequestContext& ctx) {
  const auto serial = path_param(ctx, "serial");
  if (!serial) co_return not_found("device-not-found", "malformed device serial in the path");
  if (auto denied = authorize(r.deps, ctx, "device.bind", "device/" + *serial, auth::may_manage))
    co_return denied;
  BodyReader body(ctx.request);
  if (body.failure()) co_return std::move(*body.failure());
  if (!body.present("patient_id"))
    body.add_error("patient_id", "is required: a patient id, or null to unbind");
  const auto patient_id = body.id("patient_id", Need::optional).value_or("");
  store::ChangeContext change{actor_of(ctx),
                              body.text("reason", Need::optional, kMaxReasonBytes).value_or("")};
  body.reject_unknown();
  if (!body.errors().empty()) co_return invalid_fields("invalid-binding", "Invalid binding", body.errors());
  auto work = [store = r.deps.store, serial = *serial, patient_id, change] {
    return store->bind_device(serial, patient_id, change);
  };
  auto outcome = co_await store_call(r, ctx, CallKind::write, std::move(work));
  if (outcome.problem) co_return std::move(outcome.problem);
  if (r.deps.device_key_changed) r.deps.device_key_changed(outcome.value->api_key_hash);
  co_return http::json_response(http::Status::ok, to_json(*outcome.value));
}

}  // namespace

void add_device_routes(http::Router& router, const RegistryRoutes& r) {
  router.add(
      http::Verb::post, "/v1/devices", [r](http::RequestContext& ctx) { return create_device(r, ctx); },
      kWriteRoute);
  router.add(
      http::Verb::get, "/v1/devices", [r](http::RequestContext& ctx) { return list_devices(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::get, "/v1/devices/{serial}", [r](http::RequestContext& ctx) { return get_device(r, ctx); },
      kReadRoute);
  router.add(
      http::Verb::post, "/v1/devices/{serial}/revoke",
      [r](http::RequestContext& ctx) { return revoke_device(r, ctx); }, kWriteRoute);
  router.add(
      http::Verb::post, "/v1/devices/{serial}/bind",
      [r](http::RequestContext& ctx) { return bind_device(r, ctx); }, kWriteRoute);
}

}  // namespace vigil::api::detail
