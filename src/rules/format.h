#pragma once
// Number formatting for human-readable finding reasons (internal to rules/).
#include <string>

namespace vigil::rules {

// At most `max_decimals` decimals, trailing zeros dropped: 142 -> "142", 38.40 -> "38.4",
// 37.7777 -> "37.78". Unit conversions leave binary noise (0.30000000000000004) that a reader
// should never see.
std::string format_number(double value, int max_decimals = 2);

}  // namespace vigil::rules
