import PostgresNIO
import RoostProtocol
import RoostStorage

/// Friend requests and friendships, and the 1:1 contacts that share presence.
/// A friendship is two request rows, one per direction. Both users' heads are
/// locked first, which also serializes two requests between the same pair.
extension PostgresStore {
    public func requestFriend(from: Int64, to: Int64) async throws -> FriendChange {
        try await write { db in
            guard from != to else { throw RoostError.badRequest("you cannot befriend yourself") }
            guard try await Self.userExists(db: db, to) else { throw RoostError.notFound("no such user") }
            var inbox = try await InboxAppend.lock([from, to], db: db)
            let theirs = try await Self.requestExists(db: db, from: to, to: from)
            if try await Self.requestExists(db: db, from: from, to: to) {
                return FriendChange(state: theirs ? "friends" : "requested", deliveries: [])
            }
            try await db.run("""
                INSERT INTO friend_requests (user_id, peer_id, created_at) VALUES (\(from), \(to), \(inbox.now))
                """)
            let deliveries = Self.emitFriendEvent(theirs ? "accepted" : "requested", between: from, and: to, inbox: &inbox)
            try await inbox.flush(db: db)
            return FriendChange(state: theirs ? "friends" : "requested", deliveries: deliveries)
        }
    }

    public func removeFriend(from: Int64, to: Int64) async throws -> FriendChange {
        try await write { db in
            guard from != to else { throw RoostError.badRequest("you cannot unfriend yourself") }
            guard try await Self.userExists(db: db, to) else { throw RoostError.notFound("no such user") }
            var inbox = try await InboxAppend.lock([from, to], db: db)
            let removed = try await db.rows("""
                DELETE FROM friend_requests
                WHERE (user_id = \(from) AND peer_id = \(to)) OR (user_id = \(to) AND peer_id = \(from))
                RETURNING user_id
                """)
            guard !removed.isEmpty else { return FriendChange(state: "none", deliveries: []) }
            let deliveries = Self.emitFriendEvent("removed", between: from, and: to, inbox: &inbox)
            try await inbox.flush(db: db)
            return FriendChange(state: "none", deliveries: deliveries)
        }
    }

    public func friendLists(of user: Int64) async throws -> FriendLists {
        try await read { db in
            let outgoing = try await db.values("""
                SELECT peer_id FROM friend_requests WHERE user_id = \(user) ORDER BY peer_id
                """, as: Int64.self)
            let incoming = try await db.values("""
                SELECT user_id FROM friend_requests WHERE peer_id = \(user) ORDER BY user_id
                """, as: Int64.self)
            let out = Set(outgoing), inc = Set(incoming)
            return FriendLists(friends: outgoing.filter(inc.contains), incoming: incoming.filter { !out.contains($0) },
                               outgoing: outgoing.filter { !inc.contains($0) })
        }
    }

    public func contacts(of user: Int64) async throws -> [Int64] {
        var binds = PostgresBindings()
        binds.append(user)
        return try await read { db in try await db.values(PostgresQuery(unsafeSQL: Self.contactsSQL, binds: binds), as: Int64.self) }
    }

    /// A user's presence contacts (`$1`), ascending; presence is not shared
    /// either way across a block (PROTOCOL.md 9). Also a subquery of `sessionStart`.
    static let contactsSQL = """
        SELECT peer_id FROM (
            SELECT peer_id FROM direct_conversations WHERE user_id = $1 AND peer_id <> $1
            UNION
            SELECT a.peer_id FROM friend_requests a
            JOIN friend_requests b ON b.user_id = a.peer_id AND b.peer_id = a.user_id
            WHERE a.user_id = $1
        ) AS p WHERE peer_id NOT IN (SELECT blocked_id FROM blocks WHERE user_id = $1)
            AND peer_id NOT IN (SELECT user_id FROM blocks WHERE blocked_id = $1)
        ORDER BY peer_id
        """

    static func requestExists(db: Database, from: Int64, to: Int64) async throws -> Bool {
        try await db.exists("SELECT 1 FROM friend_requests WHERE user_id = \(from) AND peer_id = \(to)")
    }

    /// One `friend_event` to each side; `user_id` is the other side.
    static func emitFriendEvent(_ event: String, between actor: Int64, and peer: Int64,
                                inbox: inout InboxAppend) -> [Delivery] {
        let mine = FriendEventPayload(userID: String(peer), event: event, by: String(actor))
        let theirs = FriendEventPayload(userID: String(actor), event: event, by: String(actor))
        return emit(mine, type: "friend_event", to: [actor], inbox: &inbox)
            + emit(theirs, type: "friend_event", to: [peer], inbox: &inbox)
    }
}
