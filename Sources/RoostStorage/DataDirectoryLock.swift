import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `DATA/roost.lock`, held by `roost serve` for as long
/// as the store is open. `roost restore` takes it too, so it cannot replace the
/// database under a running server. The kernel drops the lock when the process
/// dies, so a crash never leaves a stale lock behind.
public final class DataDirectoryLock: Sendable {
    public enum LockError: Error, CustomStringConvertible {
        /// Another process (a running server) holds the lock.
        case held(directory: String)
        case cannotOpen(path: String, errno: Int32)

        public var description: String {
            switch self {
            case .held(let directory):
                "a Roost server is running on \(directory) (it holds roost.lock); stop it first"
            case .cannotOpen(let path, let code):
                "cannot open \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    private let fd: Int32
    private let released = Mutex(false)

    /// Takes the lock or throws `held` at once (never waits).
    public init(directory: String) throws(LockError) {
        let path = directory.hasSuffix("/") ? directory + "roost.lock" : directory + "/roost.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .held(directory: directory)
        }
        self.fd = fd
    }

    /// Gives the lock up now (after the store is closed); later calls do nothing.
    public func release() {
        let first = released.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }

    deinit {
        release()
    }
}
