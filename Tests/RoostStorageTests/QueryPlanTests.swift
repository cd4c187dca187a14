import Foundation
import RoostStorage
import Testing

/// History and unread counts must be index range reads, never whole-table scans.
@Suite("Query plans")
struct QueryPlanTests {
    @Test func historyAndUnreadUseTheConversationIndex() async throws {
        for plan in try await Self.plans(of: [SQLiteStore.historySQL, SQLiteStore.unreadSQL]) {
            #expect(plan.contains("USING INDEX messages_by_conversation") || plan.contains("USING COVERING INDEX messages_by_conversation"), "\(plan)")
            #expect(!plan.contains("SCAN messages"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "no sort step: \(plan)")
        }
    }

    /// The conversation list finds each 1:1 pair's newest message with a seek.
    @Test func theConversationListSeeksEachPairsNewestMessage() async throws {
        let plan = try await Self.plans(of: [SQLiteStore.directConversationsSQL])[0]
        #expect(plan.contains("INDEX messages_by_conversation (conv_key=?)"), "\(plan)")
        #expect(plan.contains("SEARCH d USING PRIMARY KEY (user_id=?)"), "\(plan)")
        #expect(!plan.contains("SCAN messages") && !plan.contains("SCAN m"), "\(plan)")
    }

    /// A 1:1 send's one read before its writes: primary keys only.
    @Test func aDirectSendsCheckReadsByPrimaryKeys() async throws {
        let plan = try await Self.plans(of: [SQLiteStore.directSendCheckSQL])[0]
        #expect(plan.contains("SEARCH u USING INTEGER PRIMARY KEY (rowid=?)"), "\(plan)")
        #expect(plan.contains("SEARCH s USING PRIMARY KEY (user_id=? AND device=? AND client_id=?)"), "\(plan)")
        #expect(plan.contains("SEARCH blocks USING PRIMARY KEY (user_id=? AND blocked_id=?)"), "\(plan)")
        #expect(plan.contains("SEARCH direct_conversations USING PRIMARY KEY (user_id=? AND peer_id=?)"), "\(plan)")
        #expect(!plan.contains("SCAN"), "\(plan)")
    }

    /// Each statement's plan, its steps on one line, from a new database.
    static func plans(of statements: [String]) async throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-plan-\(UUID().uuidString).sqlite").path
        let store = try SQLiteStore(path: path)
        var plans: [String] = []
        for sql in statements {
            plans.append(try await store.queryPlan(sql).joined(separator: " | "))
        }
        try await store.close()
        return plans
    }
}
