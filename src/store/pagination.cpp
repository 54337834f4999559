#include "store/pagination.h"

#include <charconv>

#include "store/store_error.h"

namespace vigil::store {

std::int64_t number_cursor(std::string_view cursor) {
  if (cursor.empty()) return 0;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), value);
  if (ec != std::errc{} || end != cursor.data() + cursor.size() || value < 0) {
    throw StoreError(StoreError::Code::invalid_argument, "the page cursor is not valid");
  }
  return value;
}

}  // namespace vigil::store
