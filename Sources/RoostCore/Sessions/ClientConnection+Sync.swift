import RoostProtocol

extension ClientConnection {
    /// `sync_offline`: a pull of items above `since` (default: the device
    /// cursor). Moves neither the cursor nor the pushes.
    func sync(_ request: SyncRequest, ref: String) async throws {
        guard let identity else { return }
        services.metrics.syncRequests.increment()
        let since = request.since ?? window.acked
        guard since >= 0 else { throw RoostError.badRequest("since must not be negative") }
        let limit = request.limit ?? 200
        guard limit >= 1 else { throw RoostError.badRequest("limit must be at least 1") }
        let clamped = min(limit, 1000)
        let store = services.store
        let head = try await store.head(of: identity.userID)
        let items = try await store.items(user: identity.userID, after: since, limit: clamped + 1)
        let hasMore = items.count > clamped
        let frames = items.prefix(clamped).map(ServerFrame.item)
        let json = "{\"items\":[" + frames.joined(separator: ",") + "],\"head_seq\":\(max(head, items.last?.seq ?? 0))"
            + ",\"has_more\":\(hasMore),\"epoch\":" + JSONCodec.encodeString(store.epoch) + "}"
        sink.send(ServerFrame.ack(ref: ref, resultJSON: json))
    }
}
