#include "rules/format.h"

#include <fmt/format.h>

namespace vigil::rules {

std::string format_number(double value, int max_decimals) {
  std::string text = fmt::format("{:.{}f}", value, max_decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

}  // namespace vigil::rules
