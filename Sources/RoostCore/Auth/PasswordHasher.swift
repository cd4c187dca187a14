import Dispatch
import HummingbirdBcrypt

/// bcrypt hashing and verification, run on a Dispatch queue so the cost
/// (tens of milliseconds by default) never blocks the cooperative thread pool
/// that serves every connection.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private static let queue = DispatchQueue(label: "roost.bcrypt", attributes: .concurrent)

    public init(cost: UInt8) {
        precondition((4...31).contains(cost), "bcrypt cost must be 4...31")
        self.cost = cost
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await withCheckedContinuation { continuation in
            Self.queue.async { continuation.resume(returning: Bcrypt.hash(password, cost: cost)) }
        }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            Self.queue.async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
    }
}
