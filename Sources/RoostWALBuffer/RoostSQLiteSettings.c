#include "RoostSQLiteSettings.h"

#include <pthread.h>
#include <sqlite3.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int applied = SQLITE_MISUSE;

static void applyOnce(void) {
    /* Either fails with SQLITE_MISUSE once SQLite has initialized. */
    int threading = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    applied = threading != SQLITE_OK ? threading : memstatus;
}

int roost_sqlite_settings_apply(void) {
    pthread_once(&once, applyOnce);
    return applied;
}
