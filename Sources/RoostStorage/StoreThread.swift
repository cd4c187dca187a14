import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The store's own threads (`roost-writer`, and the upkeep of
/// `BackgroundLoop`) start here: named, so `top -H` and /proc tell them
/// apart, and `niceSteps` below the priority of the thread that starts them
/// (Linux keeps a priority per thread, and a server run under `nice` keeps
/// its upkeep below it; a thread is never raised). Returns once the new
/// thread runs with both set, so whoever opened the store sees it at once.
func startStoreThread(named name: String, niceSteps: Int32 = 0, _ body: @escaping @Sendable () -> Void) {
    let started = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        Thread.current.name = name
        #if canImport(Glibc)
        if niceSteps > 0 {
            // PRIO_PROCESS with 0 is the calling thread on Linux.
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            _ = setpriority(which, 0, min(getpriority(which, 0) + niceSteps, 19))
        }
        #endif
        started.signal()
        body()
    }
    started.wait()
}

