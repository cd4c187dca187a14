import Hummingbird
import RoostCore
import RoostProtocol

/// `GET /api/messages` (the `history` frame over HTTP) and `GET /api/conversations`.
struct HistoryRoutes {
    let services: RoostServices

    func add(to router: RouterGroup<RoostRequestContext>) {
        router.get("messages") { request, context in
            let user = try context.requireUser()
            let q = request.uri.queryParameters
            let query = try HistoryQuery(conversation: q["conversation"].map(String.init),
                                         before: q["before"].map(String.init), limitText: q["limit"].map(String.init))
            return JSONBody(try await services.store.history(user: user.id, conversation: query.conversation,
                                                             before: query.before, limit: query.limit))
        }
        router.get("conversations") { request, context in
            let user = try context.requireUser()
            let limit = try ConversationListQuery.limit(request.uri.queryParameters["limit"].map(String.init))
            return JSONBody(ConversationList(conversations: try await services.store.conversations(user: user.id,
                                                                                                   limit: limit)))
        }
    }
}
