import Logging
import PostgresNIO

/// A Snowflake node id (0..<1024) held by this process for as long as it runs,
/// so two nodes never mint the same message id. The claim is a session-level
/// advisory lock on one pool connection leased for the store's lifetime:
/// PostgreSQL drops it by itself if the process dies.
final class NodeClaim: Sendable {
    /// Arbitrary, fixed: the first half of the advisory lock key of node ids.
    static let lockClass: Int32 = 0x526F_6F73

    let node: Int64
    private let holder: Task<Void, Never>

    private init(node: Int64, holder: Task<Void, Never>) {
        self.node = node
        self.holder = holder
    }

    enum Failure: Error, CustomStringConvertible {
        case allTaken
        var description: String { "all 1024 node ids are held by running nodes" }
    }

    /// Claims `preferred` if given (waiting for it if another process holds it),
    /// else the lowest free id.
    static func claim(_ client: PostgresClient, preferred: Int64?, logger: Logger) async throws -> NodeClaim {
        let (claimed, continuation) = AsyncStream.makeStream(of: Result<Int64, any Error>.self)
        let holder = Task {
            do {
                try await client.withConnection { connection in
                    let db = Database(connection: connection, logger: logger)
                    var node: Int64?
                    if let preferred {
                        try await db.run("SELECT pg_advisory_lock(\(lockClass), \(Int32(preferred)))")
                        node = preferred
                    } else {
                        for candidate in Int32(0)..<1024 where node == nil {
                            if try await db.value("SELECT pg_try_advisory_lock(\(lockClass), \(candidate))",
                                                  as: Bool.self) == true {
                                node = Int64(candidate)
                            }
                        }
                    }
                    guard let node else { throw Failure.allTaken }
                    continuation.yield(.success(node))
                    // Held until the store closes (this task is cancelled).
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                    try? await db.run("SELECT pg_advisory_unlock(\(lockClass), \(Int32(node)))")
                }
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        for await result in claimed {
            return NodeClaim(node: try result.get(), holder: holder)
        }
        throw CancellationError()
    }

    func release() async {
        holder.cancel()
        await holder.value
    }
}
