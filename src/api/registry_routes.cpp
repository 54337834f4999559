// The registry management routes (docs/api.md, "Registry"): trials, sites, patients, devices, users,
// protocols and the audit trail, over ApiDeps::store. Registered only when a store is configured.
#include "api/registry_common.h"
#include "api/routes.h"

namespace vigil::api::detail {

void add_registry_routes(http::Router& router, const ApiDeps& deps, const ApiOptions& options) {
  const RegistryRoutes r{deps, options};
  add_trial_routes(router, r);
  add_site_routes(router, r);
  add_patient_registry_routes(router, r);
  add_device_routes(router, r);
  add_user_routes(router, r);
  add_protocol_routes(router, r);
  add_audit_routes(router, r);
}

}  // namespace vigil::api::detail
