import Foundation
import RoostBench
import Testing

/// Small runs of every `roost bench` scenario against a live server: the
/// generator's counters must be right (nothing lost, nothing duplicated).
/// No test asserts a timing.
@Suite("Load generator scenarios")
struct BenchScenarioTests {
    static func context(_ server: LiveServer) -> BenchContext {
        BenchContext(url: "http://127.0.0.1:\(server.port)", serverPID: getpid())
    }

    @Test func pairsClosedLoopLosesNothing() async throws {
        try await LiveServer.run { server in
            var options = PairsScenario.Options()
            options.pairs = 3
            options.inFlight = 4
            options.duration = .seconds(1)
            let result = try await PairsScenario(context: Self.context(server), options: options).run()
            #expect(result.delivered > 0)
            #expect(result.delivered == result.acked)
            #expect(result.lost == 0 && result.duplicated == 0 && result.outOfOrder == 0 && result.errors == 0)
            #expect(result.serverCPUMicrosPerMsg != nil)
        }
    }

    @Test func pairsRunTwiceOnTheSameAccounts() async throws {
        try await LiveServer.run { server in
            var options = PairsScenario.Options()
            options.pairs = 1
            options.inFlight = 2
            options.duration = .milliseconds(500)
            let file = TempDirectory.make() + "/users.json"
            let context = BenchContext(url: "http://127.0.0.1:\(server.port)", usersFile: file)
            for _ in 0..<2 {
                let result = try await PairsScenario(context: context, options: options).run()
                #expect(result.delivered == result.acked && result.lost == 0 && result.duplicated == 0,
                        "delivered \(result.delivered) of \(result.acked), dup \(result.duplicated)")
            }
        }
    }

    @Test func pairsOpenLoopLosesNothing() async throws {
        try await LiveServer.run { server in
            var options = PairsScenario.Options()
            options.pairs = 2
            options.rate = 200
            options.warmup = .milliseconds(500)
            options.duration = .seconds(1)
            let result = try await PairsScenario(context: Self.context(server), options: options).run()
            #expect(result.sent > 200, "the warm-up's messages are sent too")
            #expect(result.lost == 0 && result.duplicated == 0 && result.errors == 0)
            #expect(result.delivered == result.acked)
            // The rate counts the measured second only: the warm-up's ~100 messages are checked for loss, not measured.
            #expect(result.warmupS == 0.5)
            #expect(result.msgsPerS * result.durationS < Double(result.delivered - 50))
        }
    }

    @Test func offlineDeviceCatchesUpWithEverything() async throws {
        try await LiveServer.run { server in
            let result = try await OfflineScenario(context: Self.context(server), messages: 300).run()
            #expect(result.received == 300 && result.lost == 0 && result.duplicated == 0)
        }
    }

    @Test func idleConnectionsAllAuthenticate() async throws {
        try await LiveServer.run { server in
            let result = try await IdleScenario(context: Self.context(server), connections: 30, hold: .milliseconds(100),
                                                sourceAddresses: 0).run()
            #expect(result.opened == 30 && result.failed == 0)
        }
    }

    /// Against a loopback server the idle connections come from several
    /// 127.0.0.x addresses (what the server's sockets see, from /proc/net/tcp).
    @Test func idleConnectionsSpreadOverSourceAddresses() async throws {
        try await LiveServer.run { server in
            let scenario = IdleScenario(context: Self.context(server), connections: 40, hold: .seconds(1), sourceAddresses: 4)
            let peers = Task {
                var seen = Set<String>()
                while !Task.isCancelled {
                    seen.formUnion(Self.remoteAddresses(connectedTo: server.port))
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return seen
            }
            let result = try await scenario.run()
            peers.cancel()
            #expect(result.opened == 40 && result.failed == 0, "\(result.summary)")
            let seen = await peers.value
            // (127.0.0.1: the HTTP requests that set up the accounts.)
            #expect(seen.isSuperset(of: ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]), "\(seen)")
            #expect(!seen.contains("127.0.0.6"), "\(seen)")
        }
    }

    /// Remote IPv4 addresses of established sockets whose local port is `port`.
    static func remoteAddresses(connectedTo port: Int) -> Set<String> {
        // Read to the end: a /proc file has no size, and a one-shot read can
        // stop at the first page (a long table after hundreds of tests).
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp"),
              let data = try? file.readToEnd() else { return [] }
        try? file.close()
        let table = String(decoding: data, as: UTF8.self)
        var addresses = Set<String>()
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "01" else { continue }  // ESTABLISHED
            let local = fields[1].split(separator: ":"), remote = fields[2].split(separator: ":")
            guard local.count == 2, Int(local[1], radix: 16) == port, remote.count == 2,
                  let ip = UInt32(remote[0], radix: 16) else { continue }
            addresses.insert((0..<4).map { String((ip >> (8 * $0)) & 0xff) }.joined(separator: "."))
        }
        return addresses
    }

    @Test func groupFanOutLosesNothing() async throws {
        try await LiveServer.run { server in
            var options = GroupScenario.Options()
            options.members = 8
            options.senders = 2
            options.inFlight = 3
            options.duration = .seconds(1)
            let result = try await GroupScenario(context: Self.context(server), options: options).run()
            #expect(result.messages > 0)
            #expect(result.deliveries == result.messages * 7, "every member but the sender holds every message")
            #expect(result.lost == 0 && result.duplicated == 0)
        }
    }

    @Test func mixedLoadKeepsEveryInboxWhole() async throws {
        try await LiveServer.run { server in
            var options = MixedScenario.Options()
            options.users = 12
            options.groupSize = 4
            options.interval = .milliseconds(10)
            options.duration = .seconds(2)
            let result = try await MixedScenario(context: Self.context(server), options: options).run()
            #expect(result.sends + result.groupSends > 0)
            #expect(result.lost == 0 && result.duplicated == 0 && result.seqGaps == 0)
            #expect(result.errors == 0)
        }
    }

    @Test func storeWritePathCountsWhatItCommits() async throws {
        var options = StoreScenario.Options()
        options.users = 20
        options.senders = 4
        options.inFlight = 3
        options.messages = 300
        options.groupMembers = 6
        options.groupEvery = 5
        options.ackEvery = 4
        let result = try await StoreScenario(options: options).run()
        #expect(result.messages == 300 && result.errors == 0 && result.duplicates == 0)
        #expect(result.directMessages + result.groupMessages == result.messages)
        #expect(result.groupMessages > 0, "the group's members among the senders post to it")
        #expect(result.items == result.directMessages * 2 + result.groupMessages * 6)
        #expect(result.itemsStored == result.items && result.seqGaps == 0, "every reported item is in its inbox")
        #expect(result.batches > 0 && result.batches <= result.messages + result.cursorMoves)
        #expect(result.cursorMoves > 0 && result.cpuMicrosPerMessage > 0)
    }

    @Test func startupTimesAServerOnAnExistingDataDirectory() async throws {
        let result = try await StartupScenario(binary: RoostBinary.path, dataDirectory: TempDirectory.make(), runs: 2,
                                               port: KillableServer.freePort()).run()
        #expect(result.runs == 2 && result.dataBytes > 0)
        #expect(result.minSeconds > 0 && result.minSeconds <= result.medianSeconds && result.medianSeconds <= result.maxSeconds)
    }

    @Test func ceilingEchoes() async throws {
        let result = try await CeilingScenario(connections: 2, inFlight: 2, duration: .milliseconds(500)).run()
        #expect(result.framesPerS > 0)
    }
}
