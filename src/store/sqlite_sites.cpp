// SqliteRegistryStore: sites.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

using registry::Site;

constexpr const char* kSelectSite =
    "SELECT id, trial_id, name, country, timezone, principal_investigator FROM sites WHERE id = ?1";

Site read_site(const sqlite::Query& q) {
  return Site{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5)};
}

}  // namespace

Site SqliteRegistryStore::site_locked(std::string_view id) {
  auto q = db_.query(kSelectSite);
  q.bind(1, id);
  if (!q.step()) throw StoreError(StoreError::Code::not_found, fmt::format("site '{}' not found", id));
  return read_site(q);
}

Site SqliteRegistryStore::create_site(const Site& site, const ChangeContext& ctx) {
  validate(ctx);
  validate(site);
  return write([&] {
    trial_locked(site.trial_id);
    db_.query(
           "INSERT INTO sites (id, trial_id, name, country, timezone, principal_investigator) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, site.id)
        .bind(2, site.trial_id)
        .bind(3, site.name)
        .bind(4, site.country)
        .bind(5, site.timezone)
        .bind(6, site.principal_investigator)
        .run(fmt::format("site '{}' already exists", site.id));
    audit_locked(ctx, "site.create", "site", site.id, std::nullopt, to_json(site));
    return site;
  });
}

std::optional<Site> SqliteRegistryStore::get_site(std::string_view id) {
  return read([&]() -> std::optional<Site> {
    auto q = db_.query(kSelectSite);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_site(q);
  });
}

Page<Site> SqliteRegistryStore::list_sites(const SiteFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&] {
    auto q = db_.query(
        "SELECT id, trial_id, name, country, timezone, principal_investigator FROM sites "
        "WHERE (?1 IS NULL OR trial_id = ?1) AND id > ?2 ORDER BY id LIMIT ?3");
    q.bind_optional(1, filter.trial_id)
        .bind(2, page.cursor)
        .bind(3, static_cast<std::int64_t>(page.limit + 1));
    std::vector<Site> rows;
    while (q.step()) rows.push_back(read_site(q));
    return finish_page(std::move(rows), page.limit, [](const Site& s) { return s.id; });
  });
}

Site SqliteRegistryStore::update_site(const Site& site, const ChangeContext& ctx) {
  validate(ctx);
  validate(site);
  return write([&] {
    const Site before = site_locked(site.id);
    if (before.trial_id != site.trial_id) {
      throw StoreError(StoreError::Code::invalid_argument,
                       fmt::format("site '{}' belongs to trial '{}'; a site cannot move to another trial",
                                   site.id, before.trial_id));
    }
    db_.query(
           "UPDATE sites SET name = ?2, country = ?3, timezone = ?4, principal_investigator = ?5 WHERE id = "
           "?1")
        .bind(1, site.id)
        .bind(2, site.name)
        .bind(3, site.country)
        .bind(4, site.timezone)
        .bind(5, site.principal_investigator)
        .run();
    audit_locked(ctx, "site.update", "site", site.id, to_json(before), to_json(site));
    return site;
  });
}

}  // namespace vigil::store
