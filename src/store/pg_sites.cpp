// PgRegistryStore: sites.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

using registry::Site;

#define VIGIL_SITE_SELECT "SELECT id, trial_id, name, country, timezone, principal_investigator FROM sites "

constexpr pg::Statement kGet{"site.get", VIGIL_SITE_SELECT "WHERE id = $1"};
constexpr pg::Statement kGetUpdate{"site.get_update", VIGIL_SITE_SELECT "WHERE id = $1 FOR NO KEY UPDATE"};
constexpr pg::Statement kInsert{"site.insert",
                                "INSERT INTO sites (id, trial_id, name, country, timezone, "
                                "principal_investigator) VALUES ($1, $2, $3, $4, $5, $6)"};
constexpr pg::Statement kList{"site.list", VIGIL_SITE_SELECT
                              "WHERE ($1::text IS NULL OR trial_id = $1) AND id > $2 ORDER BY id LIMIT $3"};
constexpr pg::Statement kUpdate{"site.update",
                                "UPDATE sites SET name = $2, country = $3, timezone = $4, "
                                "principal_investigator = $5 WHERE id = $1"};

Site read_site(const pg::Result& r, int row) {
  return Site{r.text(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3), r.text(row, 4), r.text(row, 5)};
}

}  // namespace

Site PgRegistryStore::site_locked(Conn& conn, std::string_view id, Lock lock) {
  const auto q = conn.exec(lock == Lock::none ? kGet : kGetUpdate, {id});
  if (q.empty()) throw StoreError(StoreError::Code::not_found, fmt::format("site '{}' not found", id));
  return read_site(q, 0);
}

Site PgRegistryStore::create_site(const Site& site, const ChangeContext& ctx) {
  validate(ctx);
  validate(site);
  return write([&](Conn& conn) {
    trial_locked(conn, site.trial_id, Lock::none);
    conn.exec(kInsert,
              {site.id, site.trial_id, site.name, site.country, site.timezone, site.principal_investigator},
              fmt::format("site '{}' already exists", site.id));
    audit_locked(conn, ctx, "site.create", "site", site.id, std::nullopt, to_json(site));
    return site;
  });
}

std::optional<Site> PgRegistryStore::get_site(std::string_view id) {
  return read([&](Conn& conn) -> std::optional<Site> {
    const auto q = conn.exec(kGet, {id});
    if (q.empty()) return std::nullopt;
    return read_site(q, 0);
  });
}

Page<Site> PgRegistryStore::list_sites(const SiteFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&](Conn& conn) {
    const auto q =
        conn.exec(kList, {filter.trial_id, page.cursor, static_cast<std::int64_t>(page.limit + 1)});
    std::vector<Site> rows;
    for (int i = 0; i < q.rows(); ++i) rows.push_back(read_site(q, i));
    return finish_page(std::move(rows), page.limit, [](const Site& s) { return s.id; });
  });
}

Site PgRegistryStore::update_site(const Site& site, const ChangeContext& ctx) {
  validate(ctx);
  validate(site);
  return write([&](Conn& conn) {
    const Site before = site_locked(conn, site.id, Lock::update);
    if (before.trial_id != site.trial_id) {
      throw StoreError(StoreError::Code::invalid_argument,
                       fmt::format("site '{}' belongs to trial '{}'; a site cannot move to another trial",
                                   site.id, before.trial_id));
    }
    conn.exec(kUpdate, {site.id, site.name, site.country, site.timezone, site.principal_investigator});
    audit_locked(conn, ctx, "site.update", "site", site.id, to_json(before), to_json(site));
    return site;
  });
}

}  // namespace vigil::store
