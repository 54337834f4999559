// PgRegistryStore: trials and their patient counts.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

using registry::Trial;
using registry::TrialStatus;

#define VIGIL_TRIAL_SELECT "SELECT id, name, phase, status FROM trials "

constexpr pg::Statement kGet{"trial.get", VIGIL_TRIAL_SELECT "WHERE id = $1"};
// FOR SHARE while a patient joins the trial (its status must hold until commit); FOR NO KEY UPDATE
// for changes, which do not conflict with the key-share locks of foreign-key checks.
constexpr pg::Statement kGetShare{"trial.get_share", VIGIL_TRIAL_SELECT "WHERE id = $1 FOR SHARE"};
constexpr pg::Statement kGetUpdate{"trial.get_update", VIGIL_TRIAL_SELECT "WHERE id = $1 FOR NO KEY UPDATE"};
constexpr pg::Statement kInsert{"trial.insert",
                                "INSERT INTO trials (id, name, phase, status) VALUES ($1, $2, $3, $4)"};
constexpr pg::Statement kList{"trial.list", VIGIL_TRIAL_SELECT
                              "WHERE ($1::text IS NULL OR status = $1) AND id > $2 ORDER BY id LIMIT $3"};
constexpr pg::Statement kUpdate{"trial.update", "UPDATE trials SET name = $2, phase = $3 WHERE id = $1"};
constexpr pg::Statement kSetStatus{"trial.set_status", "UPDATE trials SET status = $2 WHERE id = $1"};
constexpr pg::Statement kSites{"trial.sites", "SELECT id FROM sites WHERE trial_id = $1 ORDER BY id"};
constexpr pg::Statement kCounts{"trial.counts",
                                "SELECT site_id, status, COUNT(*) FROM patients WHERE trial_id = $1 "
                                "GROUP BY site_id, status"};

Trial read_trial(const pg::Result& r, int row) {
  Trial t;
  t.id = r.text(row, 0);
  t.name = r.text(row, 1);
  t.phase = r.text(row, 2);
  const auto status = registry::parse_trial_status(r.text(row, 3));
  if (!status) {
    throw StoreError(StoreError::Code::unavailable, "the registry database holds an unknown trial status");
  }
  t.status = *status;
  return t;
}

void add(StatusCounts& c, std::string_view status, std::int64_t n) {
  if (status == "screened") c.screened += n;
  if (status == "enrolled") c.enrolled += n;
  if (status == "withdrawn") c.withdrawn += n;
  if (status == "completed") c.completed += n;
}

std::optional<std::string> status_param(const std::optional<TrialStatus>& status) {
  if (!status) return std::nullopt;
  return std::string(registry::to_string(*status));
}

}  // namespace

Trial PgRegistryStore::trial_locked(Conn& conn, std::string_view id, Lock lock) {
  const auto& statement = lock == Lock::none ? kGet : lock == Lock::share ? kGetShare : kGetUpdate;
  const auto q = conn.exec(statement, {id});
  if (q.empty()) throw StoreError(StoreError::Code::not_found, fmt::format("trial '{}' not found", id));
  return read_trial(q, 0);
}

Trial PgRegistryStore::create_trial(const Trial& trial, const ChangeContext& ctx) {
  validate(ctx);
  validate(trial);
  check_initial_trial_status(trial);
  return write([&](Conn& conn) {
    conn.exec(kInsert, {trial.id, trial.name, trial.phase, registry::to_string(trial.status)},
              fmt::format("trial '{}' already exists", trial.id));
    audit_locked(conn, ctx, "trial.create", "trial", trial.id, std::nullopt, to_json(trial));
    return trial;
  });
}

std::optional<Trial> PgRegistryStore::get_trial(std::string_view id) {
  return read([&](Conn& conn) -> std::optional<Trial> {
    const auto q = conn.exec(kGet, {id});
    if (q.empty()) return std::nullopt;
    return read_trial(q, 0);
  });
}

Page<Trial> PgRegistryStore::list_trials(const TrialFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&](Conn& conn) {
    const auto q = conn.exec(
        kList, {status_param(filter.status), page.cursor, static_cast<std::int64_t>(page.limit + 1)});
    std::vector<Trial> rows;
    for (int i = 0; i < q.rows(); ++i) rows.push_back(read_trial(q, i));
    return finish_page(std::move(rows), page.limit, [](const Trial& t) { return t.id; });
  });
}

Trial PgRegistryStore::update_trial(const Trial& trial, const ChangeContext& ctx) {
  validate(ctx);
  validate(trial);
  return write([&](Conn& conn) {
    const Trial before = trial_locked(conn, trial.id, Lock::update);
    Trial after = before;
    after.name = trial.name;
    after.phase = trial.phase;
    conn.exec(kUpdate, {after.id, after.name, after.phase});
    audit_locked(conn, ctx, "trial.update", "trial", after.id, to_json(before), to_json(after));
    return after;
  });
}

Trial PgRegistryStore::set_trial_status(std::string_view id, TrialStatus to, const ChangeContext& ctx) {
  validate(ctx);
  return write([&](Conn& conn) {
    const Trial before = trial_locked(conn, id, Lock::update);
    check_trial_transition(id, before.status, to);
    Trial after = before;
    after.status = to;
    conn.exec(kSetStatus, {id, registry::to_string(to)});
    audit_locked(conn, ctx, "trial.set_status", "trial", id, to_json(before), to_json(after));
    return after;
  });
}

TrialCounts PgRegistryStore::counts(std::string_view trial_id) {
  // Sites and patient counts from one snapshot, so they agree with each other.
  return snapshot([&](Conn& conn) {
    trial_locked(conn, trial_id, Lock::none);
    TrialCounts result;
    result.trial_id = std::string(trial_id);
    const auto sites = conn.exec(kSites, {trial_id});
    for (int i = 0; i < sites.rows(); ++i) result.sites.push_back(SiteCounts{sites.text(i, 0), {}});
    const auto q = conn.exec(kCounts, {trial_id});
    for (int i = 0; i < q.rows(); ++i) {
      const std::string site = q.text(i, 0);
      const std::string status = q.text(i, 1);
      const std::int64_t n = q.integer(i, 2);
      add(result.counts, status, n);
      for (auto& s : result.sites) {
        if (s.site_id == site) add(s.counts, status, n);
      }
    }
    return result;
  });
}

}  // namespace vigil::store
