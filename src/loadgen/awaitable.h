#pragma once
// The completion token the load generator's coroutines use: an operation's error comes back as a
// value in a tuple (a refused connection or a reset is something to count, not an exception).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vigil::loadgen {

inline constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace vigil::loadgen
