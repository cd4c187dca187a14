import Foundation
import RoostClient

/// The generator's accounts, created once (`--prepare`) and kept in a file so
/// later runs skip registration (bcrypt dominates it).
struct BenchUsers: Sendable {
    struct User: Codable, Sendable {
        let username: String
        let userID: String
        let token: String
    }

    let http: RoostHTTP
    let file: String?

    /// `count` users named `<prefix>-<i>`: loaded from the file when it has them, else created.
    func users(prefix: String, count: Int, concurrency: Int = 16) async throws -> [User] {
        var saved = load()
        let names = (0..<count).map { "\(prefix)-\($0)" }
        let missing = names.filter { saved[$0] == nil }
        if !missing.isEmpty {
            let created = try await withThrowingTaskGroup(of: User.self) { group in
                var results: [User] = []
                var iterator = missing.makeIterator()
                for _ in 0..<concurrency {
                    guard let name = iterator.next() else { break }
                    group.addTask { try await create(name) }
                }
                while let user = try await group.next() {
                    results.append(user)
                    if let name = iterator.next() { group.addTask { try await create(name) } }
                }
                return results
            }
            for user in created { saved[user.username] = user }
            store(saved)
        }
        return names.map { saved[$0]! }
    }

    private func create(_ name: String) async throws -> User {
        let account = try await http.account(username: name, password: "bench-\(name)-password")
        return User(username: name, userID: account.userID, token: account.token)
    }

    private func load() -> [String: User] {
        guard let file, let data = FileManager.default.contents(atPath: file),
              let users = try? JSONDecoder().decode([User].self, from: data) else { return [:] }
        return Dictionary(users.map { ($0.username, $0) }, uniquingKeysWith: { $1 })
    }

    private func store(_ users: [String: User]) {
        guard let file, let data = try? JSONEncoder().encode(Array(users.values)) else { return }
        _ = FileManager.default.createFile(atPath: file, contents: data)
    }
}
