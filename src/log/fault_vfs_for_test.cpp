#include "log/fault_vfs_for_test.h"

#include <sqlite3.h>

#include <atomic>
#include <stdexcept>

namespace vigil::log::testing {
namespace {

std::atomic<bool> g_fail_syncs{false};
std::atomic<int> g_failed_syncs{0};
sqlite3_vfs* g_real = nullptr;  // set once, before the VFS is registered

// The real file lives in the same allocation, right after this header (szOsFile covers both).
struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* real(sqlite3_file* f) {
  return reinterpret_cast<FaultFile*>(f)->real;
}

int f_close(sqlite3_file* f) {
  return real(f)->pMethods->xClose(real(f));
}
int f_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real(f)->pMethods->xRead(real(f), buf, n, off);
}
int f_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return real(f)->pMethods->xWrite(real(f), buf, n, off);
}
int f_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real(f)->pMethods->xTruncate(real(f), size);
}
int f_sync(sqlite3_file* f, int flags) {
  if (g_fail_syncs.load()) {
    g_failed_syncs.fetch_add(1);
    return SQLITE_IOERR_FSYNC;
  }
  return real(f)->pMethods->xSync(real(f), flags);
}
int f_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int f_lock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xLock(real(f), level);
}
int f_unlock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xUnlock(real(f), level);
}
int f_check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int f_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int f_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int f_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int f_shm_map(sqlite3_file* f, int page, int page_size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, page_size, extend, out);
}
int f_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void f_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
int f_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
int f_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return real(f)->pMethods->xFetch(real(f), off, n, out);
}
int f_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    f_close,
    f_read,
    f_write,
    f_truncate,
    f_sync,
    f_file_size,
    f_lock,
    f_unlock,
    f_check_reserved,
    f_file_control,
    f_sector_size,
    f_device_characteristics,
    f_shm_map,
    f_shm_lock,
    f_shm_barrier,
    f_shm_unmap,
    f_fetch,
    f_unfetch,
};

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->real->pMethods = nullptr;
  const int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open: mirror the real file.
  f->base.pMethods = f->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}
int v_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
int v_randomness(sqlite3_vfs*, int n, char* out) {
  return g_real->xRandomness(g_real, n, out);
}
int v_sleep(sqlite3_vfs*, int micros) {
  return g_real->xSleep(g_real, micros);
}
int v_current_time(sqlite3_vfs*, double* out) {
  return g_real->xCurrentTime(g_real, out);
}
int v_get_last_error(sqlite3_vfs*, int n, char* out) {
  return g_real->xGetLastError(g_real, n, out);
}
int v_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

const std::string& register_vfs() {
  static const std::string name = "vigil-fault-for-test";
  static sqlite3_vfs vfs{};
  if (sqlite3_initialize() != SQLITE_OK) throw std::runtime_error("sqlite3_initialize failed");
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr || g_real->iVersion < 2) throw std::runtime_error("no usable default SQLite VFS");
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
  vfs.mxPathname = g_real->mxPathname;
  vfs.zName = name.c_str();
  vfs.xOpen = v_open;
  vfs.xDelete = v_delete;
  vfs.xAccess = v_access;
  vfs.xFullPathname = v_full_pathname;
  vfs.xRandomness = v_randomness;
  vfs.xSleep = v_sleep;
  vfs.xCurrentTime = v_current_time;
  vfs.xGetLastError = v_get_last_error;
  vfs.xCurrentTimeInt64 = v_current_time_int64;
  // No loadable extensions through this VFS: xDlOpen etc. stay null.
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) throw std::runtime_error("cannot register fault VFS");
  return name;
}

}  // namespace

const std::string& fault_vfs_name() {
  static const std::string& name = register_vfs();
  return name;
}

void set_fail_syncs(bool on) {
  g_fail_syncs.store(on);
}

int failed_syncs() {
  return g_failed_syncs.load();
}

}  // namespace vigil::log::testing
