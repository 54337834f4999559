// PgRegistryStore: staff users and their site memberships.
#include <fmt/format.h>

#include <algorithm>

#include "store/entity_json.h"
#include "store/pagination.h"
#include "store/pg_registry_store.h"
#include "store/rules.h"

namespace vigil::store {
namespace {

// Users with their memberships in one statement (one snapshot): one row per membership, or one row
// with a NULL site for a user without any.
constexpr pg::Statement kGet{"user.get",
                             "SELECT u.subject, u.display_name, u.role, s.site_id FROM users u "
                             "LEFT JOIN user_sites s ON s.subject = u.subject WHERE u.subject = $1 "
                             "ORDER BY s.site_id"};
constexpr pg::Statement kLock{"user.lock", "SELECT 1 FROM users WHERE subject = $1 FOR UPDATE"};
constexpr pg::Statement kList{
    "user.list",
    "SELECT u.subject, u.display_name, u.role, s.site_id FROM "
    "(SELECT subject, display_name, role FROM users "
    " WHERE ($1::text IS NULL OR subject IN "
    "  (SELECT subject FROM user_sites WHERE site_id = $1)) "
    " AND subject > $2 ORDER BY subject LIMIT $3) u "
    "LEFT JOIN user_sites s ON s.subject = u.subject ORDER BY u.subject, s.site_id"};
constexpr pg::Statement kInsert{"user.insert",
                                "INSERT INTO users (subject, display_name, role) VALUES ($1, $2, $3)"};
constexpr pg::Statement kInsertSite{"user.insert_site",
                                    "INSERT INTO user_sites (subject, site_id) VALUES ($1, $2)"};
constexpr pg::Statement kUpdate{"user.update",
                                "UPDATE users SET display_name = $2, role = $3 WHERE subject = $1"};
constexpr pg::Statement kClearSites{"user.clear_sites", "DELETE FROM user_sites WHERE subject = $1"};
constexpr pg::Statement kDelete{"user.delete", "DELETE FROM users WHERE subject = $1"};

User normalized(User user) {
  std::sort(user.site_ids.begin(), user.site_ids.end());
  user.site_ids.erase(std::unique(user.site_ids.begin(), user.site_ids.end()), user.site_ids.end());
  return user;
}

Role role_of(const std::string& text) {
  const auto role = parse_role(text);
  if (!role) {
    throw StoreError(StoreError::Code::unavailable, "the registry database holds an unknown user role");
  }
  return *role;
}

// Folds the joined rows (ordered by subject) into users.
std::vector<User> read_users(const pg::Result& r) {
  std::vector<User> users;
  for (int i = 0; i < r.rows(); ++i) {
    std::string subject = r.text(i, 0);
    if (users.empty() || users.back().subject != subject) {
      users.push_back(User{std::move(subject), r.text(i, 1), role_of(r.text(i, 2)), {}});
    }
    if (!r.is_null(i, 3)) users.back().site_ids.push_back(r.text(i, 3));
  }
  return users;
}

}  // namespace

std::optional<User> PgRegistryStore::find_user(Conn& conn, std::string_view subject, Lock lock) {
  if (lock != Lock::none && conn.exec(kLock, {subject}).empty()) return std::nullopt;
  auto users = read_users(conn.exec(kGet, {subject}));
  if (users.empty()) return std::nullopt;
  return std::move(users.front());
}

User PgRegistryStore::create_user(const User& user, const ChangeContext& ctx) {
  validate(ctx);
  validate(user);
  const User stored = normalized(user);
  return write([&](Conn& conn) {
    for (const auto& site : stored.site_ids) site_locked(conn, site, Lock::none);
    conn.exec(kInsert, {stored.subject, stored.display_name, to_string(stored.role)},
              fmt::format("user '{}' already exists", stored.subject));
    for (const auto& site : stored.site_ids) conn.exec(kInsertSite, {stored.subject, site});
    audit_locked(conn, ctx, "user.create", "user", stored.subject, std::nullopt, to_json(stored));
    return stored;
  });
}

std::optional<User> PgRegistryStore::get_user(std::string_view subject) {
  return read([&](Conn& conn) { return find_user(conn, subject, Lock::none); });
}

Page<User> PgRegistryStore::list_users(const UserFilter& filter, const PageRequest& page) {
  validate(page);
  return read([&](Conn& conn) {
    auto rows = read_users(
        conn.exec(kList, {filter.site_id, page.cursor, static_cast<std::int64_t>(page.limit + 1)}));
    return finish_page(std::move(rows), page.limit, [](const User& u) { return u.subject; });
  });
}

User PgRegistryStore::update_user(const User& user, const ChangeContext& ctx) {
  validate(ctx);
  validate(user);
  const User after = normalized(user);
  return write([&](Conn& conn) {
    const auto before = find_user(conn, after.subject, Lock::update);
    if (!before) {
      throw StoreError(StoreError::Code::not_found, fmt::format("user '{}' not found", after.subject));
    }
    for (const auto& site : after.site_ids) site_locked(conn, site, Lock::none);
    conn.exec(kUpdate, {after.subject, after.display_name, to_string(after.role)});
    conn.exec(kClearSites, {after.subject});
    for (const auto& site : after.site_ids) conn.exec(kInsertSite, {after.subject, site});
    audit_locked(conn, ctx, "user.update", "user", after.subject, to_json(*before), to_json(after));
    return after;
  });
}

void PgRegistryStore::delete_user(std::string_view subject, const ChangeContext& ctx) {
  validate(ctx);
  write([&](Conn& conn) {
    const auto before = find_user(conn, subject, Lock::update);
    if (!before) throw StoreError(StoreError::Code::not_found, fmt::format("user '{}' not found", subject));
    conn.exec(kDelete, {subject});
    audit_locked(conn, ctx, "user.delete", "user", subject, to_json(*before), std::nullopt);
  });
}

}  // namespace vigil::store
