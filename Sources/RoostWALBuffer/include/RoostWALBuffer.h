#ifndef ROOST_WAL_BUFFER_H
#define ROOST_WAL_BUFFER_H

#include "RoostSQLiteSettings.h"

/// Registers, once per process, a SQLite VFS that wraps the default one and
/// makes it the default. It changes one thing: writes to a WAL file are
/// gathered in memory while they are contiguous and reach the file in one
/// write at the end of each transaction (its commit frame), or before
/// anything else touches the file (sync, read, size, truncate, close).
/// SQLite writes every frame as two writes (its 24-byte header, then the
/// page), so a transaction of N pages cost 2N pwrite calls; now it costs one
/// per transaction (or per `bufferBytes`, at most 128 KiB - 1: the unix
/// VFS writes no more at once).
///
/// Returns SQLITE_OK, or SQLite's error if there is no default VFS.
int roost_wal_buffer_register(int bufferBytes);

/// Writes made to WAL files through the buffer, and the writes that reached
/// the files (tests, benchmarks).
void roost_wal_buffer_counts(long long *gathered, long long *written);

#endif
