#include "RoostWALBuffer.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Layout of a wrapped WAL file: this header, then the real VFS's file. Files
   other than WAL files are opened by the real VFS straight into the space
   SQLite gives us and are not wrapped at all. */
typedef struct BufferedFile {
    sqlite3_file base;
    sqlite3_file *real;
    unsigned char *buffer;
    sqlite3_int64 start;   /* file offset of buffer[0] */
    int length;            /* bytes gathered */
    int flushAfterNext;    /* the last write was a commit frame's header */
} BufferedFile;

enum { frameHeaderBytes = 24, maxWrite = 0x1ffff };

static sqlite3_vfs *realVfs;
static sqlite3_vfs bufferedVfs;
static int capacity;
static atomic_llong gatheredWrites;
static atomic_llong fileWrites;

static int flush(BufferedFile *p) {
    if (p->length == 0) return SQLITE_OK;
    int length = p->length;
    p->length = 0;
    atomic_fetch_add_explicit(&fileWrites, 1, memory_order_relaxed);
    return p->real->pMethods->xWrite(p->real, p->buffer, length, p->start);
}

static int bufferedClose(sqlite3_file *file) {
    BufferedFile *p = (BufferedFile *)file;
    int rc = flush(p);
    int closed = p->real->pMethods->xClose(p->real);
    free(p->buffer);
    p->buffer = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static int bufferedRead(sqlite3_file *file, void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *p = (BufferedFile *)file;
    int rc = flush(p);
    if (rc != SQLITE_OK) return rc;
    return p->real->pMethods->xRead(p->real, data, amount, offset);
}

static int bufferedWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *p = (BufferedFile *)file;
    atomic_fetch_add_explicit(&gatheredWrites, 1, memory_order_relaxed);
    int rc = SQLITE_OK;
    int commitHeader = amount == frameHeaderBytes && memcmp((const unsigned char *)data + 4, "\0\0\0\0", 4) != 0;
    if (p->length > 0 && offset >= p->start && offset + amount <= p->start + p->length) {
        /* A rewrite of gathered bytes (SQLite rewrites a frame of the same
           transaction in place): change them where they wait. */
        memcpy(p->buffer + (offset - p->start), data, (size_t)amount);
    } else if (p->length > 0 && offset == p->start + p->length && p->length + amount <= capacity) {
        memcpy(p->buffer + p->length, data, (size_t)amount);
        p->length += amount;
    } else {
        rc = flush(p);
        if (rc != SQLITE_OK) return rc;
        if (p->buffer == NULL) {
            p->buffer = malloc((size_t)capacity);
            if (p->buffer == NULL) return SQLITE_IOERR_NOMEM;
        }
        if (amount > capacity) {
            atomic_fetch_add_explicit(&fileWrites, 1, memory_order_relaxed);
            return p->real->pMethods->xWrite(p->real, data, amount, offset);
        }
        memcpy(p->buffer, data, (size_t)amount);
        p->start = offset;
        p->length = amount;
    }
    /* The page after a commit frame's header ends the transaction: readers
       may look for it as soon as SQLite returns (without a sync at NORMAL). */
    if (p->flushAfterNext) {
        p->flushAfterNext = 0;
        return flush(p);
    }
    p->flushAfterNext = commitHeader;
    return SQLITE_OK;
}

static int bufferedTruncate(sqlite3_file *file, sqlite3_int64 size) {
    BufferedFile *p = (BufferedFile *)file;
    int rc = flush(p);
    if (rc != SQLITE_OK) return rc;
    return p->real->pMethods->xTruncate(p->real, size);
}

static int bufferedSync(sqlite3_file *file, int flags) {
    BufferedFile *p = (BufferedFile *)file;
    int rc = flush(p);
    if (rc != SQLITE_OK) return rc;
    return p->real->pMethods->xSync(p->real, flags);
}

static int bufferedFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    BufferedFile *p = (BufferedFile *)file;
    int rc = flush(p);
    if (rc != SQLITE_OK) return rc;
    return p->real->pMethods->xFileSize(p->real, size);
}

static int bufferedLock(sqlite3_file *file, int lock) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xLock(p->real, lock);
}

static int bufferedUnlock(sqlite3_file *file, int lock) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xUnlock(p->real, lock);
}

static int bufferedCheckReservedLock(sqlite3_file *file, int *out) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xCheckReservedLock(p->real, out);
}

static int bufferedFileControl(sqlite3_file *file, int op, void *arg) {
    BufferedFile *p = (BufferedFile *)file;
    int rc = flush(p);
    if (rc != SQLITE_OK) return rc;
    return p->real->pMethods->xFileControl(p->real, op, arg);
}

static int bufferedSectorSize(sqlite3_file *file) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xSectorSize(p->real);
}

static int bufferedDeviceCharacteristics(sqlite3_file *file) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xDeviceCharacteristics(p->real);
}

static int bufferedShmMap(sqlite3_file *file, int page, int size, int extend, void volatile **out) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xShmMap(p->real, page, size, extend, out);
}

static int bufferedShmLock(sqlite3_file *file, int offset, int n, int flags) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xShmLock(p->real, offset, n, flags);
}

static void bufferedShmBarrier(sqlite3_file *file) {
    BufferedFile *p = (BufferedFile *)file;
    p->real->pMethods->xShmBarrier(p->real);
}

static int bufferedShmUnmap(sqlite3_file *file, int deleteFlag) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xShmUnmap(p->real, deleteFlag);
}

static int bufferedFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out) {
    BufferedFile *p = (BufferedFile *)file;
    int rc = flush(p);
    if (rc != SQLITE_OK) return rc;
    return p->real->pMethods->xFetch(p->real, offset, amount, out);
}

static int bufferedUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *page) {
    BufferedFile *p = (BufferedFile *)file;
    return p->real->pMethods->xUnfetch(p->real, offset, page);
}

static const sqlite3_io_methods bufferedMethods = {
    3,
    bufferedClose, bufferedRead, bufferedWrite, bufferedTruncate, bufferedSync, bufferedFileSize,
    bufferedLock, bufferedUnlock, bufferedCheckReservedLock, bufferedFileControl, bufferedSectorSize,
    bufferedDeviceCharacteristics, bufferedShmMap, bufferedShmLock, bufferedShmBarrier, bufferedShmUnmap,
    bufferedFetch, bufferedUnfetch,
};

static int bufferedOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL)) return realVfs->xOpen(realVfs, name, file, flags, outFlags);
    BufferedFile *p = (BufferedFile *)file;
    memset(p, 0, sizeof(*p));
    sqlite3_file *real = (sqlite3_file *)&p[1];
    int rc = realVfs->xOpen(realVfs, name, real, flags, outFlags);
    if (rc != SQLITE_OK) {
        /* A real file SQLite will not see: close what it may hold itself. */
        if (real->pMethods != NULL) real->pMethods->xClose(real);
        return rc;
    }
    if (real->pMethods->iVersion < 3) {
        real->pMethods->xClose(real);
        return SQLITE_CANTOPEN;
    }
    p->real = real;
    p->base.pMethods = &bufferedMethods;
    return SQLITE_OK;
}

/* Everything but opening goes to the real VFS, which may keep its own state
   in its sqlite3_vfs (unix keeps its locking style there). */
static int vfsDelete(sqlite3_vfs *v, const char *n, int s) { (void)v; return realVfs->xDelete(realVfs, n, s); }
static int vfsAccess(sqlite3_vfs *v, const char *n, int f, int *o) { (void)v; return realVfs->xAccess(realVfs, n, f, o); }
static int vfsFullPathname(sqlite3_vfs *v, const char *n, int size, char *out) {
    (void)v;
    return realVfs->xFullPathname(realVfs, n, size, out);
}
static void *vfsDlOpen(sqlite3_vfs *v, const char *n) { (void)v; return realVfs->xDlOpen(realVfs, n); }
static void vfsDlError(sqlite3_vfs *v, int size, char *out) { (void)v; realVfs->xDlError(realVfs, size, out); }
static void (*vfsDlSym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return realVfs->xDlSym(realVfs, h, s); }
static void vfsDlClose(sqlite3_vfs *v, void *h) { (void)v; realVfs->xDlClose(realVfs, h); }
static int vfsRandomness(sqlite3_vfs *v, int n, char *out) { (void)v; return realVfs->xRandomness(realVfs, n, out); }
static int vfsSleep(sqlite3_vfs *v, int us) { (void)v; return realVfs->xSleep(realVfs, us); }
static int vfsCurrentTime(sqlite3_vfs *v, double *out) { (void)v; return realVfs->xCurrentTime(realVfs, out); }
static int vfsGetLastError(sqlite3_vfs *v, int n, char *out) { (void)v; return realVfs->xGetLastError(realVfs, n, out); }
static int vfsCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) {
    (void)v;
    return realVfs->xCurrentTimeInt64(realVfs, out);
}
static int vfsSetSystemCall(sqlite3_vfs *v, const char *n, sqlite3_syscall_ptr f) {
    (void)v;
    return realVfs->xSetSystemCall(realVfs, n, f);
}
static sqlite3_syscall_ptr vfsGetSystemCall(sqlite3_vfs *v, const char *n) {
    (void)v;
    return realVfs->xGetSystemCall(realVfs, n);
}
static const char *vfsNextSystemCall(sqlite3_vfs *v, const char *n) {
    (void)v;
    return realVfs->xNextSystemCall(realVfs, n);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered = SQLITE_ERROR;
static int requestedCapacity;

static void registerOnce(void) {
    sqlite3_initialize();
    realVfs = sqlite3_vfs_find(NULL);
    if (realVfs == NULL || realVfs->iVersion < 3) return;
    capacity = requestedCapacity;
    bufferedVfs = *realVfs;
    bufferedVfs.szOsFile = (int)sizeof(BufferedFile) + realVfs->szOsFile;
    bufferedVfs.pNext = NULL;
    bufferedVfs.zName = "roost-wal-buffer";
    bufferedVfs.pAppData = NULL;
    bufferedVfs.xOpen = bufferedOpen;
    bufferedVfs.xDelete = vfsDelete;
    bufferedVfs.xAccess = vfsAccess;
    bufferedVfs.xFullPathname = vfsFullPathname;
    bufferedVfs.xDlOpen = vfsDlOpen;
    bufferedVfs.xDlError = vfsDlError;
    bufferedVfs.xDlSym = vfsDlSym;
    bufferedVfs.xDlClose = vfsDlClose;
    bufferedVfs.xRandomness = vfsRandomness;
    bufferedVfs.xSleep = vfsSleep;
    bufferedVfs.xCurrentTime = vfsCurrentTime;
    bufferedVfs.xGetLastError = vfsGetLastError;
    bufferedVfs.xCurrentTimeInt64 = vfsCurrentTimeInt64;
    bufferedVfs.xSetSystemCall = vfsSetSystemCall;
    bufferedVfs.xGetSystemCall = vfsGetSystemCall;
    bufferedVfs.xNextSystemCall = vfsNextSystemCall;
    registered = sqlite3_vfs_register(&bufferedVfs, 1);
}

int roost_wal_buffer_register(int bufferBytes) {
    /* The unix VFS writes at most 0x1ffff bytes per call (its seekAndWriteFd
       masks the length), and reports a longer write as a full disk. */
    requestedCapacity = bufferBytes < 8192 ? 8192 : bufferBytes > maxWrite ? maxWrite : bufferBytes;
    pthread_once(&once, registerOnce);
    return registered;
}

void roost_wal_buffer_counts(long long *gathered, long long *written) {
    *gathered = atomic_load_explicit(&gatheredWrites, memory_order_relaxed);
    *written = atomic_load_explicit(&fileWrites, memory_order_relaxed);
}
