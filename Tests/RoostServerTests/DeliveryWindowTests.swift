@testable import RoostCore
import Testing

/// The window's choice between reading a gap from storage at once and
/// giving it a moment to arrive as an offer (a delivery a moment behind).
@Suite("Delivery window gaps")
struct DeliveryWindowTests {
    static func frame(_ seq: Int64) -> String { "{\"type\":\"item\",\"data\":{\"seq\":\(seq)}}" }

    @Test func aGapBelowALaterOfferWaitsForItsOffer() {
        var window = DeliveryWindow(capacity: 16, maxAttempts: 3, retryInterval: .seconds(1))
        window.reset(cursor: 5, head: 5)
        window.offer(seq: 7, frame: Self.frame(7))
        let ready = window.takeReady(now: .now)
        #expect(ready.send.isEmpty && ready.fetchAfter == 5)
        #expect(window.awaitsOffer(after: 5), "6 committed after the session started: its offer is coming")
        window.offer(seq: 6, frame: Self.frame(6))
        let filled = window.takeReady(now: .now)
        #expect(filled.send == [Self.frame(6), Self.frame(7)] && filled.fetchAfter == nil)
    }

    @Test func aBacklogOrAnotherNodesItemsAreReadAtOnce() {
        var window = DeliveryWindow(capacity: 16, maxAttempts: 3, retryInterval: .seconds(1))
        // Items 6-10 were committed before this session: no offer will come.
        window.reset(cursor: 5, head: 10)
        window.offer(seq: 12, frame: Self.frame(12))
        #expect(window.takeReady(now: .now).fetchAfter == 5)
        #expect(!window.awaitsOffer(after: 5))
        // Nothing above the gap arrived: nothing suggests an offer on its way.
        var quiet = DeliveryWindow(capacity: 16, maxAttempts: 3, retryInterval: .seconds(1))
        quiet.reset(cursor: 5, head: 5)
        quiet.noteHead(8)
        #expect(quiet.takeReady(now: .now).fetchAfter == 5)
        #expect(!quiet.awaitsOffer(after: 5))
        // Another node's commits (noteHead) are read at once too.
        var clustered = DeliveryWindow(capacity: 16, maxAttempts: 3, retryInterval: .seconds(1))
        clustered.reset(cursor: 5, head: 5)
        clustered.noteHead(8)
        clustered.offer(seq: 9, frame: Self.frame(9))
        #expect(clustered.takeReady(now: .now).fetchAfter == 5)
        #expect(!clustered.awaitsOffer(after: 5))
    }
}
