import Hummingbird
import RoostCore
import RoostProtocol

/// `GET /api/search` (PROTOCOL.md 9).
struct SearchRoutes {
    let services: RoostServices

    func add(to router: RouterGroup<RoostRequestContext>) {
        router.get("search") { request, context in
            let user = try context.requireUser()
            let q = request.uri.queryParameters
            let query = try SearchQuery(q: q["q"].map(String.init), conversation: q["conversation"].map(String.init),
                                        limitText: q["limit"].map(String.init))
            let hits = try await services.store.search(user: user.id, query: query.text,
                                                       conversation: query.conversation, limit: query.limit)
            return JSONBody(SearchResult(messages: hits))
        }
    }
}
