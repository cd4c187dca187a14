import GRDB
import RoostProtocol

/// Recall: the content is erased in place (`secure_delete` zeroes the freed
/// bytes) and every participant gets a `recall` item in the same transaction.
extension SQLiteStore {
    public func recall(user: Int64, messageID: Int64, windowMillis: Int64) async throws -> StateChange {
        let searchIndex = self.searchIndex
        let change = try await writer.write { db, batch -> StateChange in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(Self.messageColumns) FROM messages WHERE id = ?
                """), arguments: [messageID]) else {
                throw RoostError.notFound("no such message")
            }
            let message = Self.messageRow(row)
            let now = nowMillis()
            let participants: [Int64]
            let mayRecall: Bool
            if let group = message.group {
                guard try Self.isGroupMember(db: db, group: group, user: user) else {
                    throw RoostError.forbidden("not a member of this group")
                }
                participants = try Self.groupMembers(db: db, group: group)
                let owns = try Self.groupOwner(db: db, group: group) == user
                mayRecall = owns || (message.sender == user && (message.recalled || now - message.createdAt <= windowMillis))
            } else {
                participants = Array(Set([message.sender, message.recipient ?? message.sender]))
                mayRecall = message.sender == user && (message.recalled || now - message.createdAt <= windowMillis)
            }
            guard mayRecall else {
                throw RoostError.forbidden(message.sender == user ? "the recall window has passed" : "not your message")
            }
            if message.recalled { return .unchanged }
            try Self.unindexContent(db: db, message: message, appliedSearchChange: searchIndex.appliedChange)
            try db.cachedStatement(sql: "UPDATE messages SET content = NULL, recalled = 1, reactions = NULL WHERE id = ?")
                .execute(arguments: [messageID])
            var deliveries: [Delivery] = []
            var ownSeq: Int64?
            for holder in participants.sorted() {
                let item = RecallItem(conversation: message.conversation(for: holder),
                                      messageID: String(messageID), by: String(user))
                let seq = try Self.appendItem(db: db, batch: batch, user: holder, type: "recall", messageID: messageID,
                                              payload: JSONCodec.encodeString(item), now: now)
                if holder == user { ownSeq = seq }
                deliveries.append(Delivery(user: holder, item: InboxItem(seq: seq, timestamp: now, body: .recall(item))))
            }
            return StateChange(seq: ownSeq, deliveries: deliveries)
        }
        if change.seq != nil { await purgeOldPageImages() }
        return change
    }

    /// The WAL still holds page images with the erased content until it is
    /// checkpointed and truncated; recalls are rare, so do it now. The search
    /// index drops the text (if it was indexed) and purges its own WAL.
    ///
    /// A TRUNCATE checkpoint does not wait for one already running: with the
    /// background checkpointer at work every 20 ms it often found one, so it
    /// tries again for up to half a second. Failure beyond that (readers
    /// holding the WAL) only delays the purge to a later checkpoint.
    func purgeOldPageImages() async {
        do {
            try await searchIndex.applyChanges(purge: true)
        } catch {
            logger.warning("removing a recalled text from the search index failed", metadata: ["error": "\(error)"])
        }
        for attempt in 1...50 {
            do {
                try await pool.writeWithoutTransaction { db in
                    _ = try db.checkpoint(.truncate)
                }
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < 50 {
                try? await Task.sleep(for: .milliseconds(10))
            } catch {
                logger.debug("checkpoint after recall did not complete", metadata: ["error": "\(error)"])
                return
            }
        }
    }
}
