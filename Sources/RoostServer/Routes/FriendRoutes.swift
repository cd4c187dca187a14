import Hummingbird
import RoostCore
import RoostProtocol
import RoostStorage

/// `/api/friends` and `/api/presence` (PROTOCOL.md 6 and 8).
struct FriendRoutes {
    let services: RoostServices
    /// Ids one `GET /api/presence` may ask about.
    static let maxPresenceQuery = 1_000

    struct RequestBody: Decodable {
        let userID: String
        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }

    struct StateBody: Encodable {
        let userID: String
        let state: String
        enum CodingKeys: String, CodingKey {
            case state
            case userID = "user_id"
        }
    }

    struct ListsBody: Encodable {
        let friends: [String]
        let incoming: [String]
        let outgoing: [String]
    }

    struct PresenceList: Encodable {
        let presence: [PresenceStatus]
    }

    struct Empty: Encodable {}

    func add(to router: RouterGroup<RoostRequestContext>) {
        let friends = services.friendService
        router.get("friends") { _, context in
            let lists = try await friends.lists(of: try context.requireUser().id)
            return JSONBody(ListsBody(friends: lists.friends.map(String.init), incoming: lists.incoming.map(String.init),
                                      outgoing: lists.outgoing.map(String.init)))
        }
        router.post("friends") { request, context in
            let user = try context.requireUser()
            var request = request
            let body = try await request.decodeJSON(RequestBody.self)
            let state = try await friends.request(from: user.id, to: body.userID)
            return JSONBody(StateBody(userID: body.userID, state: state))
        }
        router.delete("friends/:user_id") { _, context in
            let user = try context.requireUser()
            try await friends.remove(from: user.id, to: try context.parameters.require("user_id"))
            return JSONBody(Empty())
        }
        router.get("presence") { request, context in
            let user = try context.requireUser()
            guard let query = request.uri.queryParameters["user_ids"] else {
                throw RoostError.badRequest("user_ids is required (comma-separated user ids)")
            }
            let asked = query.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            guard asked.count <= Self.maxPresenceQuery else {
                throw RoostError.badRequest("at most \(Self.maxPresenceQuery) user ids")
            }
            let contacts = Set(try await services.store.contacts(of: user.id))
            var shown: [(text: String, id: Int64)] = []
            var seen = Set<Int64>()
            for text in asked {
                guard let id = parseUserID(text), contacts.contains(id), seen.insert(id).inserted else { continue }
                shown.append((text, id))
            }
            let online = await services.presence.onlineAnywhere(shown.map(\.id))
            let entries = shown.map { PresenceStatus(userID: $0.text, online: online.contains($0.id)) }
            return JSONBody(PresenceList(presence: entries))
        }
    }
}
