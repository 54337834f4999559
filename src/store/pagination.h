#pragma once
// Keyset pagination shared by the store implementations: a query asks for limit + 1 rows after the
// cursor; finish_page() trims the extra row and, when there was one, sets next_cursor to the key of
// the last row kept. Pure and thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/entities.h"

namespace vigil::store {

template <typename T, typename KeyFn>
Page<T> finish_page(std::vector<T> rows, std::size_t limit, KeyFn key) {
  Page<T> page;
  const bool more = rows.size() > limit;
  if (more) rows.resize(limit);
  page.items = std::move(rows);
  if (more && !page.items.empty()) page.next_cursor = key(page.items.back());
  return page;
}

// Cursors over numbers (audit seq, protocol version): empty is 0; anything but digits is
// StoreError::invalid_argument.
std::int64_t number_cursor(std::string_view cursor);

}  // namespace vigil::store
