import Hummingbird
import RoostCore
import RoostProtocol

/// `/api/blocks` (PROTOCOL.md 9).
struct BlockRoutes {
    let services: RoostServices

    struct BlockBody: Codable {
        let userID: String
        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }

    struct Empty: Encodable {}

    func add(to router: RouterGroup<RoostRequestContext>) {
        let blocks = services.blockService
        router.get("blocks") { _, context in
            let ids = try await blocks.blocked(by: try context.requireUser().id)
            return JSONBody(BlockList(userIDs: ids.map(String.init)))
        }
        router.post("blocks") { request, context in
            let user = try context.requireUser()
            var request = request
            let body = try await request.decodeJSON(BlockBody.self)
            let target = try await blocks.block(user.id, target: body.userID)
            return JSONBody(BlockBody(userID: String(target)))
        }
        router.delete("blocks/:user_id") { _, context in
            let user = try context.requireUser()
            try await blocks.unblock(user.id, target: try context.parameters.require("user_id"))
            return JSONBody(Empty())
        }
    }
}
