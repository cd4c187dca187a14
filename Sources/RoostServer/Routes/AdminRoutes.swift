import Foundation
import Hummingbird
import RoostCore
import RoostPush
import RoostProtocol
import RoostStorage

/// `/api/admin/...`: for accounts with `is_admin` (the first account, or
/// `roost user add --admin`); 403 for everyone else.
struct AdminRoutes {
    let services: RoostServices
    /// A ban also drops the user's push endpoints from the running worker.
    let push: PushDispatcher
    /// Backups are staged here (same filesystem as the database, never /tmp).
    let dataDirectory: String

    func add(to api: RouterGroup<RoostRequestContext>) {
        let admin = api.group("admin").add(middleware: AdminOnlyMiddleware())
        admin.get("backup") { _, _ in try await backup() }
        admin.delete("users/:username") { _, context in
            let user = try await account(context)
            try await sqlite().deleteUser(userID: user.id)
            await services.registry.kickAll(of: user.id, reason: "deleted")
            return JSONBody(["deleted": user.username])
        }
        admin.post("users/:username/ban") { _, context in
            let user = try await account(context)
            _ = try await services.banService.setBanned(user.id, banned: true)
            await push.forget(user: user.id)
            return JSONBody(["banned": user.username])
        }
        admin.post("users/:username/unban") { _, context in
            let user = try await account(context)
            _ = try await services.banService.setBanned(user.id, banned: false)
            return JSONBody(["unbanned": user.username])
        }
        admin.post("users/:username/revoke") { _, context in
            let user = try await account(context)
            if let sqlite = services.store as? SQLiteStore {
                try await sqlite.revokeTokens(userID: user.id)
            } else {
                _ = try await services.store.revokeTokens(user: user.id, newPasswordHash: nil)
            }
            await services.registry.kickAll(of: user.id, reason: "revoked")
            return JSONBody(["revoked": user.username])
        }
    }

    private func sqlite() throws -> SQLiteStore {
        guard let store = services.store as? SQLiteStore else { throw RoostError.notFound("not available on this backend") }
        return store
    }

    private func account(_ context: RoostRequestContext) async throws -> UserAccount {
        let name = try context.parameters.require("username")
        guard let user = try await services.store.user(named: name) else { throw RoostError.notFound("no such user") }
        return user
    }

    /// A consistent snapshot, staged to a file then streamed in chunks (the
    /// database may be far larger than what should sit in memory).
    private func backup() async throws -> Response {
        let store = try sqlite()
        let staged = URL(fileURLWithPath: dataDirectory)
            .appendingPathComponent("backup-\(UUID().uuidString).sqlite.partial").path
        do {
            try await store.backup(to: staged)
        } catch {
            try? FileManager.default.removeItem(atPath: staged)
            throw error
        }
        let size = (try FileManager.default.attributesOfItem(atPath: staged)[.size] as? Int) ?? 0
        let name = "roost-\(Date().ISO8601Format(.iso8601.year().month().day())).sqlite"
        let body = ResponseBody(contentLength: size) { writer in
            defer { try? FileManager.default.removeItem(atPath: staged) }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: staged))
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: "application/vnd.sqlite3",
            .contentDisposition: "attachment; filename=\"\(name)\"",
        ], body: body)
    }
}

/// 403 unless the authenticated user is an admin (runs after `BearerAuthMiddleware`).
struct AdminOnlyMiddleware: RouterMiddleware {
    typealias Context = RoostRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try context.requireUser().isAdmin else { throw RoostError.forbidden("admin only") }
        return try await next(request, context)
    }
}
