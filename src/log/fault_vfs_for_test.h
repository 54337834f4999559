#pragma once
// TEST ONLY: a SQLite VFS that wraps the platform default and fails every fsync while told to, so
// that tests can watch the log meet a real I/O error at COMMIT (as on a full or failing disk).
//
// Thread safety: the switch is an atomic; the VFS registers itself once, thread-safely.
#include <string>

namespace vigil::log::testing {

// Name to pass as SqliteLogOptions::vfs. Registers the VFS on first call.
const std::string& fault_vfs_name();

// While on, xSync on any file opened through the fault VFS returns SQLITE_IOERR_FSYNC without
// syncing.
void set_fail_syncs(bool on);

// Number of syncs failed so far.
int failed_syncs();

}  // namespace vigil::log::testing
