import ArgumentParser
import Foundation
import RoostCore
import RoostStorage

/// `roost user add|passwd|del|list`: account administration on the data directory.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage accounts.",
        discussion: """
            These commands write the database directly, with or without a server running on it. \
            A running server refuses revoked tokens at once and closes the sockets of a changed \
            account (passwd, del, ban) within its account-event interval (default 0.5 s).
            """,
        subcommands: [Add.self, Passwd.self, Del.self, Ban.self, Unban.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account.")
        @OptionGroup var options: DataOptions
        @Argument var username: String
        @Flag(help: "Make the account an administrator (the first account always is).") var admin = false
        @Option(help: "The password (default: read from stdin).") var password: String?
        @Option(help: "bcrypt cost.") var bcryptCost: UInt8 = 12

        func run() async throws {
            guard AccountService.isValidUsername(username) else {
                throw CLIError("username must be 3-32 characters of a-z, 0-9, _ . -")
            }
            let password = try readPassword(option: password)
            guard (8...256).contains(password.count) else { throw CLIError("password must be 8-256 characters") }
            guard (4...31).contains(bcryptCost) else { throw CLIError("--bcrypt-cost must be 4...31") }
            let store = try options.openStore()
            let isFirst = try await store.userCount() == 0
            let isAdmin = admin || isFirst
            let hash = await PasswordHasher(cost: bcryptCost).hash(password)
            let user = try await store.createUser(username: username, passwordHash: hash, isAdmin: isAdmin)
            try await store.close()
            print("created \(user.username) (id \(user.id)\(isAdmin ? ", admin" : ""))")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a password and revoke the account's tokens.")
        @OptionGroup var options: DataOptions
        @Argument var username: String
        @Option(help: "The new password (default: read from stdin).") var password: String?
        @Option(help: "bcrypt cost.") var bcryptCost: UInt8 = 12

        func run() async throws {
            let password = try readPassword(option: password)
            guard (8...256).contains(password.count) else { throw CLIError("password must be 8-256 characters") }
            let store = try options.openStore()
            guard let user = try await store.user(named: username) else { throw CLIError("no user \(username)") }
            let hash = await PasswordHasher(cost: bcryptCost).hash(password)
            try await store.setPassword(userID: user.id, passwordHash: hash)
            try await store.close()
            print("password of \(username) changed; its tokens are revoked")
        }
    }

    struct Del: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account (and revoke its tokens).")
        @OptionGroup var options: DataOptions
        @Argument var username: String

        func run() async throws {
            let store = try options.openStore()
            guard let user = try await store.user(named: username) else { throw CLIError("no user \(username)") }
            try await store.deleteUser(userID: user.id)
            try await store.close()
            print("deleted \(username) (id \(user.id))")
        }
    }

    struct Ban: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ban an account: its tokens are revoked, its sockets closed, its logins refused (403).")
        @OptionGroup var options: DataOptions
        @Argument var username: String

        func run() async throws {
            try await UserCommand.setBanned(true, username: username, options: options)
        }
    }

    struct Unban: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a ban (the user logs in again).")
        @OptionGroup var options: DataOptions
        @Argument var username: String

        func run() async throws {
            try await UserCommand.setBanned(false, username: username, options: options)
        }
    }

    /// The one ban switch behind `ban` and `unban`.
    static func setBanned(_ banned: Bool, username: String, options: DataOptions) async throws {
        let store = try options.openStore()
        guard let user = try await store.user(named: username) else { throw CLIError("no user \(username)") }
        _ = try await store.setBanned(user: user.id, banned: banned)
        try await store.close()
        print("\(banned ? "banned" : "unbanned") \(username) (id \(user.id))")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            let store = try options.openStore()
            let users = try await store.allUsers()
            try await store.close()
            print("id\tusername\tadmin\tbanned\tcreated_at")
            for user in users {
                let created = Date(timeIntervalSince1970: Double(user.createdAt) / 1000).ISO8601Format()
                print("\(user.id)\t\(user.username)\t\(user.isAdmin ? "yes" : "no")\t\(user.banned ? "yes" : "no")\t\(created)")
            }
        }
    }
}
