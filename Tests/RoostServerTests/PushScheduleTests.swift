@testable import RoostPush
import Testing

/// The per-device push schedule as a value, without sockets or clocks.
@Suite("Push schedule")
struct PushScheduleTests {
    let t0 = ContinuousClock.now
    let interval = Duration.seconds(10)

    func state(giveUp: Duration = .seconds(24 * 3600)) -> PushDeviceState {
        PushDeviceState(interval: interval, giveUpAfter: giveUp, now: t0)
    }

    @Test func firstCommitSendsAtOnceThenOnePerInterval() {
        var s = state()
        #expect(s.next(now: t0) == .done)
        s.commit()
        #expect(s.next(now: t0) == .send)
        s.started(now: t0)
        s.commit()
        s.commit()
        let kept = s.finished(.delivered, now: t0 + .seconds(1))
        #expect(kept)
        #expect(s.next(now: t0 + .seconds(1)) == .wait(until: t0 + interval), "coalesced until the interval passed")
        #expect(s.next(now: t0 + interval) == .send)
        s.started(now: t0 + interval)
        let keptAgain = s.finished(.delivered, now: t0 + interval + .seconds(1))
        #expect(keptAgain)
        #expect(s.next(now: t0 + interval * 2) == .done)
    }

    @Test func failuresAreRetriedAfterTheIntervalDoubling() {
        var s = state()
        s.commit()
        var now = t0
        var delays: [Duration] = []
        for _ in 0..<4 {
            s.started(now: now)
            let kept = s.finished(.failed, now: now)
            #expect(kept)
            guard case .wait(let until) = s.next(now: now) else {
                Issue.record("expected a wait")
                return
            }
            delays.append(until - now)
            now = until
            #expect(s.next(now: now) == .send)
        }
        #expect(delays == [interval, interval * 2, interval * 4, interval * 8])
        s.started(now: now)
        let kept = s.finished(.delivered, now: now)
        #expect(kept)
        #expect(s.failures == 0)
        #expect(s.next(now: now + interval) == .done, "after success nothing is pending")
    }

    @Test func aFailingPushIsGivenUpAfterTheLimit() {
        var s = state(giveUp: .seconds(60))
        s.commit()
        var now = t0
        var attempts = 0
        while s.next(now: now) == .send {
            attempts += 1
            s.started(now: now)
            if !s.finished(.failed, now: now) { break }
            guard case .wait(let until) = s.next(now: now) else { break }
            now = until
        }
        // 10 s, 20 s, 40 s: the next retry would be past 60 s after the first attempt.
        #expect(attempts == 3)
        #expect(now - t0 <= .seconds(60))
        #expect(!s.pending && s.failures == 0)
        // A later commit starts a new push.
        s.commit()
        #expect(s.next(now: now + interval) == .send)
    }

    @Test func aConnectedDeviceSkipsThePush() {
        var s = state()
        s.commit()
        s.skip()
        #expect(s.next(now: t0) == .done)
    }

    @Test func tableIsBoundedAndGenerationsKeepOneRunner() async {
        let table = PushDeviceTable(capacity: 1, interval: interval, giveUpAfter: .seconds(60))
        let a = PushDeviceKey(user: 1, device: "a"), b = PushDeviceKey(user: 1, device: "b")
        guard case .startRunner(let first) = await table.commit(a, now: t0) else {
            Issue.record("expected a runner")
            return
        }
        guard case .merged = await table.commit(a, now: t0) else {
            Issue.record("expected a merge")
            return
        }
        guard case .full = await table.commit(b, now: t0) else {
            Issue.record("expected full")
            return
        }
        await table.remove(a)
        guard case .startRunner(let second) = await table.commit(a, now: t0) else {
            Issue.record("expected a new runner")
            return
        }
        #expect(first != second)
        #expect(await table.next(a, generation: first, now: t0) == .done, "the old runner stops")
        #expect(await table.next(a, generation: second, now: t0) == .send)
    }

    @Test func endpointRule() throws {
        let strict = PushEndpointRule(maxBytes: 64, allowPrivateAddresses: false)
        try strict.check("https://push.example.com/up/abc")
        #expect(throws: PushEndpointRule.Violation.privateAddress) { try strict.check("http://127.0.0.2/x") }
        #expect(throws: PushEndpointRule.Violation.privateAddress) { try strict.check("http://100.64.0.1/x") }
        #expect(throws: PushEndpointRule.Violation.notAbsoluteHTTPURL) { try strict.check("mailto:a@b.c") }
        #expect(throws: PushEndpointRule.Violation.tooLong(max: 64)) {
            try strict.check("https://push.example.com/" + String(repeating: "a", count: 64))
        }
        let lax = PushEndpointRule(maxBytes: 64, allowPrivateAddresses: true)
        try lax.check("http://127.0.0.1:8080/x")
        #expect(AddressPolicy.isNonPublicName("93.184.216.34") == false)
        #expect(AddressPolicy.isNonPublicName("2606:4700::1111") == false)
    }
}
