#ifndef ROOST_SQLITE_SETTINGS_H
#define ROOST_SQLITE_SETTINGS_H

/// Process-wide SQLite settings, applied once and only before SQLite
/// initializes (the first store opened does it):
///
/// * multi-thread mode: no mutex around every call on a connection. GRDB
///   already serializes each connection's use; Debian's SQLite defaults to
///   the serialized mode, a lock and an unlock per bind, step and reset.
/// * no memory statistics: with them every allocation and free inside SQLite
///   takes one mutex shared by all connections of the process, which the
///   writer, the readers and the search indexer contended for (a `futex`
///   call every other message on the writer's thread, issue 9).
///
/// Returns SQLITE_OK, or SQLITE_MISUSE if SQLite had already initialized.
int roost_sqlite_settings_apply(void);

#endif
