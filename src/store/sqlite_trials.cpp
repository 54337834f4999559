// SqliteRegistryStore: trials and their patient counts.
#include <fmt/format.h>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

using registry::Trial;
using registry::TrialStatus;

Trial read_trial(const sqlite::Query& q) {
  Trial t;
  t.id = q.text(0);
  t.name = q.text(1);
  t.phase = q.text(2);
  const auto status = registry::parse_trial_status(q.text(3));
  if (!status)
    throw StoreError(StoreError::Code::unavailable, "the registry database holds an unknown trial status");
  t.status = *status;
  return t;
}

StatusCounts& add(StatusCounts& c, std::string_view status, std::int64_t n) {
  if (status == "screened") c.screened += n;
  if (status == "enrolled") c.enrolled += n;
  if (status == "withdrawn") c.withdrawn += n;
  if (status == "completed") c.completed += n;
  return c;
}

}  // namespace

Trial SqliteRegistryStore::trial_locked(std::string_view id) {
  auto q = db_.query("SELECT id, name, phase, status FROM trials WHERE id = ?1");
  q.bind(1, id);
  if (!q.step()) throw StoreError(StoreError::Code::not_found, fmt::format("trial '{}' not found", id));
  return read_trial(q);
}

Trial SqliteRegistryStore::create_trial(const Trial& trial, const ChangeContext& ctx) {
  validate(ctx);
  validate(trial);
  check_initial_trial_status(trial);
  return write([&] {
    db_.query("INSERT INTO trials (id, name, phase, status) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, trial.id)
        .bind(2, trial.name)
        .bind(3, trial.phase)
        .bind(4, registry::to_string(trial.status))
        .run(fmt::format("trial '{}' already exists", trial.id));
    audit_locked(ctx, "trial.create", "trial", trial.id, std::nullopt, to_json(trial));
    return trial;
  });
}

std::optional<Trial> SqliteRegistryStore::get_trial(std::string_view id) {
  return read([&]() -> std::optional<Trial> {
    auto q = db_.query("SELECT id, name, phase, status FROM trials WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_trial(q);
  });
}

Page<Trial> SqliteRegistryStore::list_trials(const TrialFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&] {
    auto q = db_.query(
        "SELECT id, name, phase, status FROM trials WHERE (?1 IS NULL OR status = ?1) AND id > ?2 "
        "ORDER BY id LIMIT ?3");
    if (filter.status) {
      q.bind(1, registry::to_string(*filter.status));
    } else {
      q.bind_null(1);
    }
    q.bind(2, page.cursor).bind(3, static_cast<std::int64_t>(page.limit + 1));
    std::vector<Trial> rows;
    while (q.step()) rows.push_back(read_trial(q));
    return finish_page(std::move(rows), page.limit, [](const Trial& t) { return t.id; });
  });
}

Trial SqliteRegistryStore::update_trial(const Trial& trial, const ChangeContext& ctx) {
  validate(ctx);
  validate(trial);
  return write([&] {
    const Trial before = trial_locked(trial.id);
    Trial after = before;
    after.name = trial.name;
    after.phase = trial.phase;
    db_.query("UPDATE trials SET name = ?2, phase = ?3 WHERE id = ?1")
        .bind(1, after.id)
        .bind(2, after.name)
        .bind(3, after.phase)
        .run();
    audit_locked(ctx, "trial.update", "trial", after.id, to_json(before), to_json(after));
    return after;
  });
}

Trial SqliteRegistryStore::set_trial_status(std::string_view id, TrialStatus to, const ChangeContext& ctx) {
  validate(ctx);
  return write([&] {
    const Trial before = trial_locked(id);
    check_trial_transition(id, before.status, to);
    Trial after = before;
    after.status = to;
    db_.query("UPDATE trials SET status = ?2 WHERE id = ?1")
        .bind(1, id)
        .bind(2, registry::to_string(to))
        .run();
    audit_locked(ctx, "trial.set_status", "trial", id, to_json(before), to_json(after));
    return after;
  });
}

TrialCounts SqliteRegistryStore::counts(std::string_view trial_id) {
  return read([&] {
    trial_locked(trial_id);
    TrialCounts result;
    result.trial_id = std::string(trial_id);
    {
      auto q = db_.query("SELECT id FROM sites WHERE trial_id = ?1 ORDER BY id");
      q.bind(1, trial_id);
      while (q.step()) result.sites.push_back(SiteCounts{q.text(0), {}});
    }
    auto q = db_.query(
        "SELECT site_id, status, COUNT(*) FROM patients WHERE trial_id = ?1 GROUP BY site_id, status "
        "ORDER BY site_id");
    q.bind(1, trial_id);
    while (q.step()) {
      const std::string site = q.text(0);
      const std::string status = q.text(1);
      const std::int64_t n = q.integer(2);
      add(result.counts, status, n);
      for (auto& s : result.sites) {
        if (s.site_id == site) add(s.counts, status, n);
      }
    }
    return result;
  });
}

}  // namespace vigil::store
