import GRDB
import RoostProtocol

/// Friend requests and friendships, and the 1:1 contacts that share presence.
/// A friendship is two request rows, one per direction.
extension SQLiteStore {
    public func requestFriend(from: Int64, to: Int64) async throws -> FriendChange {
        try await writer.write { db, batch in
            guard from != to else { throw RoostError.badRequest("you cannot befriend yourself") }
            guard try Self.userExists(db, to) else { throw RoostError.notFound("no such user") }
            let theirs = try Self.requestExists(db, from: to, to: from)
            if try Self.requestExists(db, from: from, to: to) {
                return FriendChange(state: theirs ? "friends" : "requested", deliveries: [])
            }
            let now = nowMillis()
            try db.cachedStatement(sql: "INSERT INTO friend_requests (user_id, peer_id, created_at) VALUES (?, ?, ?)")
                .execute(arguments: [from, to, now])
            let event = theirs ? "accepted" : "requested"
            let deliveries = try Self.emitFriendEvent(event, between: from, and: to, db: db, batch: batch, now: now)
            return FriendChange(state: theirs ? "friends" : "requested", deliveries: deliveries)
        }
    }

    public func removeFriend(from: Int64, to: Int64) async throws -> FriendChange {
        try await writer.write { db, batch in
            guard from != to else { throw RoostError.badRequest("you cannot unfriend yourself") }
            guard try Self.userExists(db, to) else { throw RoostError.notFound("no such user") }
            try db.cachedStatement(sql: """
                DELETE FROM friend_requests WHERE (user_id = ? AND peer_id = ?) OR (user_id = ? AND peer_id = ?)
                """).execute(arguments: [from, to, to, from])
            guard db.changesCount > 0 else { return FriendChange(state: "none", deliveries: []) }
            let deliveries = try Self.emitFriendEvent("removed", between: from, and: to, db: db, batch: batch,
                                                      now: nowMillis())
            return FriendChange(state: "none", deliveries: deliveries)
        }
    }

    public func friendLists(of user: Int64) async throws -> FriendLists {
        try await pool.read { db in
            let outgoing = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT peer_id FROM friend_requests WHERE user_id = ? ORDER BY peer_id
                """), arguments: [user])
            let incoming = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT user_id FROM friend_requests WHERE peer_id = ? ORDER BY user_id
                """), arguments: [user])
            let out = Set(outgoing), inc = Set(incoming)
            return FriendLists(friends: outgoing.filter(inc.contains), incoming: incoming.filter { !out.contains($0) },
                               outgoing: outgoing.filter { !inc.contains($0) })
        }
    }

    public func contacts(of user: Int64) async throws -> [Int64] {
        try await pool.read { db in try Self.contacts(db: db, of: user) }
    }

    static func contacts(db: Database, of user: Int64) throws -> [Int64] {
        // Presence is not shared either way across a block (PROTOCOL.md 9).
        try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT peer_id FROM (
                SELECT peer_id FROM direct_conversations WHERE user_id = ?1 AND peer_id != ?1
                UNION
                SELECT a.peer_id FROM friend_requests a
                JOIN friend_requests b ON b.user_id = a.peer_id AND b.peer_id = a.user_id
                WHERE a.user_id = ?1
            ) WHERE peer_id NOT IN (SELECT blocked_id FROM blocks WHERE user_id = ?1)
                AND peer_id NOT IN (SELECT user_id FROM blocks WHERE blocked_id = ?1)
            """), arguments: [user])
    }

    static func requestExists(_ db: Database, from: Int64, to: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM friend_requests WHERE user_id = ? AND peer_id = ?"),
                          arguments: [from, to]) == true
    }

    /// One `friend_event` to each side; `user_id` is the other side.
    static func emitFriendEvent(_ event: String, between actor: Int64, and peer: Int64, db: Database,
                                batch: WriteBatch, now: Int64) throws -> [Delivery] {
        let mine = FriendEventPayload(userID: String(peer), event: event, by: String(actor))
        let theirs = FriendEventPayload(userID: String(actor), event: event, by: String(actor))
        return try emit(mine, type: "friend_event", to: [actor], db: db, batch: batch, now: now)
            + emit(theirs, type: "friend_event", to: [peer], db: db, batch: batch, now: now)
    }
}
