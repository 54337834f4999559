// SqliteRegistryStore: staff users and their site memberships.
#include <fmt/format.h>

#include <algorithm>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/rules.h"
#include "store/sqlite_registry_store.h"

namespace vigil::store {
namespace {

User normalized(User user) {
  std::sort(user.site_ids.begin(), user.site_ids.end());
  user.site_ids.erase(std::unique(user.site_ids.begin(), user.site_ids.end()), user.site_ids.end());
  return user;
}

Role role_of(const std::string& text) {
  const auto role = parse_role(text);
  if (!role)
    throw StoreError(StoreError::Code::unavailable, "the registry database holds an unknown user role");
  return *role;
}

}  // namespace

std::optional<User> SqliteRegistryStore::user_locked(std::string_view subject) {
  User u;
  {
    auto q = db_.query("SELECT subject, display_name, role FROM users WHERE subject = ?1");
    q.bind(1, subject);
    if (!q.step()) return std::nullopt;
    u.subject = q.text(0);
    u.display_name = q.text(1);
    u.role = role_of(q.text(2));
  }
  auto q = db_.query("SELECT site_id FROM user_sites WHERE subject = ?1 ORDER BY site_id");
  q.bind(1, subject);
  while (q.step()) u.site_ids.push_back(q.text(0));
  return u;
}

User SqliteRegistryStore::create_user(const User& user, const ChangeContext& ctx) {
  validate(ctx);
  validate(user);
  const User stored = normalized(user);
  return write([&] {
    for (const auto& site : stored.site_ids) site_locked(site);
    db_.query("INSERT INTO users (subject, display_name, role) VALUES (?1, ?2, ?3)")
        .bind(1, stored.subject)
        .bind(2, stored.display_name)
        .bind(3, to_string(stored.role))
        .run(fmt::format("user '{}' already exists", stored.subject));
    for (const auto& site : stored.site_ids) {
      db_.query("INSERT INTO user_sites (subject, site_id) VALUES (?1, ?2)")
          .bind(1, stored.subject)
          .bind(2, site)
          .run();
    }
    audit_locked(ctx, "user.create", "user", stored.subject, std::nullopt, to_json(stored));
    return stored;
  });
}

std::optional<User> SqliteRegistryStore::get_user(std::string_view subject) {
  return read([&] { return user_locked(subject); });
}

Page<User> SqliteRegistryStore::list_users(const UserFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&] {
    std::vector<std::string> subjects;
    {
      auto q = db_.query(
          "SELECT subject FROM users WHERE (?1 IS NULL OR subject IN "
          "(SELECT subject FROM user_sites WHERE site_id = ?1)) AND subject > ?2 ORDER BY subject LIMIT ?3");
      q.bind_optional(1, filter.site_id)
          .bind(2, page.cursor)
          .bind(3, static_cast<std::int64_t>(page.limit + 1));
      while (q.step()) subjects.push_back(q.text(0));
    }
    std::vector<User> rows;
    for (const auto& s : subjects) {
      if (auto u = user_locked(s)) rows.push_back(std::move(*u));
    }
    return finish_page(std::move(rows), page.limit, [](const User& u) { return u.subject; });
  });
}

User SqliteRegistryStore::update_user(const User& user, const ChangeContext& ctx) {
  validate(ctx);
  validate(user);
  const User after = normalized(user);
  return write([&] {
    const auto before = user_locked(after.subject);
    if (!before)
      throw StoreError(StoreError::Code::not_found, fmt::format("user '{}' not found", after.subject));
    for (const auto& site : after.site_ids) site_locked(site);
    db_.query("UPDATE users SET display_name = ?2, role = ?3 WHERE subject = ?1")
        .bind(1, after.subject)
        .bind(2, after.display_name)
        .bind(3, to_string(after.role))
        .run();
    db_.query("DELETE FROM user_sites WHERE subject = ?1").bind(1, after.subject).run();
    for (const auto& site : after.site_ids) {
      db_.query("INSERT INTO user_sites (subject, site_id) VALUES (?1, ?2)")
          .bind(1, after.subject)
          .bind(2, site)
          .run();
    }
    audit_locked(ctx, "user.update", "user", after.subject, to_json(*before), to_json(after));
    return after;
  });
}

void SqliteRegistryStore::delete_user(std::string_view subject, const ChangeContext& ctx) {
  validate(ctx);
  write([&] {
    const auto before = user_locked(subject);
    if (!before) throw StoreError(StoreError::Code::not_found, fmt::format("user '{}' not found", subject));
    db_.query("DELETE FROM users WHERE subject = ?1").bind(1, subject).run();
    audit_locked(ctx, "user.delete", "user", subject, to_json(*before), std::nullopt);
  });
}

}  // namespace vigil::store
