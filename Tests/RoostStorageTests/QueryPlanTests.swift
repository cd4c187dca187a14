import Foundation
import RoostStorage
import Testing

/// History and unread counts must be index range reads, never whole-table scans.
@Suite("Query plans")
struct QueryPlanTests {
    @Test func historyAndUnreadUseTheConversationIndex() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-plan-\(UUID().uuidString).sqlite").path
        let store = try SQLiteStore(path: path)
        for sql in [SQLiteStore.historySQL, SQLiteStore.unreadSQL] {
            let plan = try await store.queryPlan(sql).joined(separator: " | ")
            #expect(plan.contains("USING INDEX messages_by_conversation") || plan.contains("USING COVERING INDEX messages_by_conversation"), "\(plan)")
            #expect(!plan.contains("SCAN messages"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "no sort step: \(plan)")
        }
        try await store.close()
    }

    /// The conversation list finds each 1:1 pair's newest message with a seek.
    @Test func theConversationListSeeksEachPairsNewestMessage() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-plan-\(UUID().uuidString).sqlite").path
        let store = try SQLiteStore(path: path)
        let plan = try await store.queryPlan(SQLiteStore.directConversationsSQL).joined(separator: " | ")
        #expect(plan.contains("INDEX messages_by_conversation (conv_key=?)"), "\(plan)")
        #expect(plan.contains("SEARCH d USING PRIMARY KEY (user_id=?)"), "\(plan)")
        #expect(!plan.contains("SCAN messages") && !plan.contains("SCAN m"), "\(plan)")
        try await store.close()
    }
}
