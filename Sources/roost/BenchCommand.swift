import ArgumentParser
import Foundation
import RoostBench

/// `roost bench`: the load generator. Every performance figure Roost claims
/// comes from here, with the command that produced it (docs/benchmarks.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load generator: measure a running Roost server.",
        subcommands: [Ceiling.self, Pairs.self, Offline.self, Idle.self, Group.self, Mixed.self, Startup.self,
                      Store.self])

    struct Common: ParsableArguments {
        @Option(help: "Base URL of the server under test.") var url = "http://127.0.0.1:8080"
        @Option(help: "PID of the server process (CPU and memory from /proc).") var serverPID: Int32?
        @Option(help: "File keeping the generator's accounts between runs.") var usersFile = "bench-users.json"
        @Flag(help: "Print one JSON object instead of the summary.") var json = false

        var context: BenchContext { BenchContext(url: url, serverPID: serverPID, usersFile: usersFile) }

        func report<R: Encodable>(_ result: R, summary: String) throws {
            try printReport(result, summary: summary, json: json)
        }
    }

    struct Ceiling: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Echo through a bare Hummingbird WebSocket route in this process.")
        @OptionGroup var common: Common
        @Option(help: "Connections.") var connections = 50
        @Option(help: "Frames in flight per connection.") var inFlight = 10
        @Option(help: "Seconds to measure.") var duration = 10

        func run() async throws {
            let result = try await CeilingScenario(connections: connections, inFlight: inFlight,
                                                   duration: .seconds(duration)).run()
            try common.report(result, summary: result.summary)
        }
    }

    struct Pairs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Online sender/receiver pairs: throughput, latency, loss.")
        @OptionGroup var common: Common
        @Option(help: "Sender/receiver pairs.") var pairs = 50
        @Option(help: "Messages in flight per sender (closed loop).") var inFlight = 10
        @Option(help: "Offered messages/s over all pairs (open loop instead of in-flight).") var rate: Double?
        @Option(help: "Seconds to measure.") var duration = 10
        @Option(help: "Open loop: seconds offered at the rate before measuring (left out of every figure).")
        var warmup = 1
        @Flag(help: "Only create the generator's accounts.") var prepare = false

        func run() async throws {
            raiseFileLimit()
            var options = PairsScenario.Options()
            options.warmup = .seconds(warmup)
            options.pairs = pairs
            options.inFlight = inFlight
            options.rate = rate
            options.duration = .seconds(duration)
            let scenario = PairsScenario(context: common.context, options: options)
            if prepare {
                try await scenario.prepare()
                return
            }
            let result = try await scenario.run()
            try common.report(result, summary: result.summary)
        }
    }

    struct Offline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Messages to an offline device, then the time to catch up.")
        @OptionGroup var common: Common
        @Option(help: "Messages queued while offline.") var messages = 10_000

        func run() async throws {
            let result = try await OfflineScenario(context: common.context, messages: messages).run()
            try common.report(result, summary: result.summary)
        }
    }

    struct Startup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start `roost serve` on an existing data directory: time until /health answers 200.")
        @Flag(help: "Print one JSON object instead of the summary.") var json = false
        @Option(help: "The roost binary to start (default: this one).") var binary: String?
        @Option(help: "Data directory to start on (default: a new temporary one, created by an untimed first start).")
        var data: String?
        @Option(help: "Timed starts.") var runs = 5
        @Option(help: "Port the started server listens on.") var port = 18_282

        func run() async throws {
            let own = URL(fileURLWithPath: CommandLine.arguments[0],
                          relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
            let directory = data ?? FileManager.default.temporaryDirectory
                .appendingPathComponent("roost-startup-\(UUID().uuidString)").path
            let result = try await StartupScenario(binary: binary ?? own, dataDirectory: directory, runs: runs,
                                                   port: port).run()
            if data == nil { try? FileManager.default.removeItem(atPath: directory) }
            try printReport(result, summary: result.summary, json: json)
        }
    }

    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The SQLite write path in this process, no server: CPU per message, batches.")
        @Flag(help: "Print one JSON object instead of the summary.") var json = false
        @Option(help: "Users.") var users = 1_000
        @Option(help: "Users that send.") var senders = 50
        @Option(help: "Sends in flight per sender.") var inFlight = 10
        @Option(help: "Sends in total (the run also stops after --duration).") var messages = 50_000
        @Option(help: "Seconds at most.") var duration = 60
        @Option(help: "Members of one group that gets one send in --group-every (0: 1:1 only).") var groupMembers = 0
        @Option(help: "With a group, one send in this many goes to it.") var groupEvery = 10
        @Option(help: "A device acks (moves its cursor) every this many items.") var ackEvery = 16
        @Flag(help: "synchronous=NORMAL instead of FULL.") var noFsync = false
        @Option(help: "Directory for the database (default: a temporary one, removed).") var data: String?

        func run() async throws {
            var options = StoreScenario.Options()
            options.users = users
            options.senders = senders
            options.inFlight = inFlight
            options.messages = messages
            options.duration = .seconds(duration)
            options.groupMembers = groupMembers
            options.groupEvery = groupEvery
            options.ackEvery = ackEvery
            options.fsync = !noFsync
            options.directory = data
            let result = try await StoreScenario(options: options).run()
            try printReport(result, summary: result.summary, json: json)
        }
    }

    struct Idle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Many idle authenticated connections: rate and memory.")
        @OptionGroup var common: Common
        @Option(help: "Connections to open.") var connections = 1_000
        @Option(help: "Seconds to hold them open.") var hold = 2
        @Option(help: "Source addresses to spread the connections over (127.0.0.2 on; a loopback server only; 0: any).")
        var sourceAddresses = 16
        @Flag(help: "Only create the generator's accounts.") var prepare = false

        func run() async throws {
            let scenario = IdleScenario(context: common.context, connections: connections, hold: .seconds(hold),
                                        sourceAddresses: sourceAddresses)
            if prepare {
                try await scenario.prepare()
                return
            }
            let result = try await scenario.run()
            try common.report(result, summary: result.summary)
        }
    }

    struct Group: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One group, all members online: fan-out deliveries/s.")
        @OptionGroup var common: Common
        @Option(help: "Members of the group (all online).") var members = 100
        @Option(help: "Members that post.") var senders = 1
        @Option(help: "Messages in flight per sender.") var inFlight = 10
        @Option(help: "Seconds to measure.") var duration = 10

        func run() async throws {
            raiseFileLimit()
            var options = GroupScenario.Options()
            options.members = members
            options.senders = senders
            options.inFlight = inFlight
            options.duration = .seconds(duration)
            let result = try await GroupScenario(context: common.context, options: options).run()
            try common.report(result, summary: result.summary)
        }
    }

    struct Mixed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Many users: 1:1, groups, reconnects and syncs; inboxes checked.")
        @OptionGroup var common: Common
        @Option(help: "Users, each with one connection.") var users = 100
        @Option(help: "Members per group.") var groupSize = 10
        @Option(help: "Milliseconds between one user's actions.") var interval = 50
        @Option(help: "Seconds to run.") var duration = 10

        func run() async throws {
            raiseFileLimit()
            var options = MixedScenario.Options()
            options.users = users
            options.groupSize = groupSize
            options.interval = .milliseconds(interval)
            options.duration = .seconds(duration)
            let result = try await MixedScenario(context: common.context, options: options).run()
            try common.report(result, summary: result.summary)
        }
    }
}

/// A scenario's human summary, or with `--json` one JSON object (sorted keys).
func printReport<R: Encodable>(_ result: R, summary: String, json: Bool) throws {
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    } else {
        print(summary)
    }
}
