#include "observability/log_context.h"

namespace vigil::observability {
namespace {

thread_local LogIds current;

}  // namespace

LogScope::LogScope(std::string_view request_id, std::string_view trace_id) : previous_(current) {
  current = LogIds{request_id, trace_id};
}

LogScope::~LogScope() {
  current = previous_;
}

LogIds current_log_ids() {
  return current;
}

}  // namespace vigil::observability
