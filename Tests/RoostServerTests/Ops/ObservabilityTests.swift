import Foundation
import RoostClient
import Testing

@Suite("Metrics and logs")
struct ObservabilityTests {
    /// The value of an unlabelled series (or the sum over its label sets).
    static func value(_ name: String, in text: String) -> Double? {
        var total: Double?
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard line.hasPrefix(name + " ") || line.hasPrefix(name + "{") else { continue }
            if let v = line.split(separator: " ").last.flatMap({ Double($0) }) { total = (total ?? 0) + v }
        }
        return total
    }

    @Test("/metrics names the series and they move when messages flow")
    func metricsMove() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("mx")
            let bob = try await server.newUser("my")
            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob)
            let before = String(decoding: try await server.http.request("GET", "/metrics").body, as: UTF8.self)
            for i in 0..<5 { _ = try await a.sendText("metric \(i)", to: bob.userID) }
            let items = try await b.items(5)
            try await b.ack(items.last!.seq)
            _ = try await b.sync()
            let after = String(decoding: try await server.http.request("GET", "/metrics").body, as: UTF8.self)
            for name in ["roost_connections", "roost_users_online", "roost_sessions", "roost_messages_received_total",
                         "roost_messages_delivered_total", "roost_items_pushed_total", "roost_acks_total",
                         "roost_sync_requests_total", "roost_storage_batch_size", "roost_storage_commit_seconds",
                         "roost_storage_write_seconds", "roost_storage_queue_depth", "roost_outbound_queued_frames",
                         "roost_http_requests_total"] {
                // Histograms (batch size, latencies) appear as _bucket/_sum/_count.
                #expect(Self.value(name, in: after) ?? Self.value(name + "_count", in: after) != nil,
                        "missing series \(name)")
            }
            for name in ["roost_messages_received_total", "roost_items_pushed_total", "roost_acks_total",
                         "roost_sync_requests_total", "roost_http_requests_total", "roost_storage_batch_size_count"] {
                let old = Self.value(name, in: before) ?? 0
                let new = Self.value(name, in: after) ?? 0
                #expect(new > old, "\(name) did not move: \(old) -> \(new)")
            }
            #expect((Self.value("roost_users_online", in: after) ?? 0) >= 2)
            #expect(after.contains("route=\"/metrics\""), "HTTP requests are labelled by route")
            a.close()
            b.close()
        }
    }

    @Test("JSON logs parse line by line and never contain a token or a password")
    func jsonLogsHaveNoSecrets() async throws {
        let data = TempDirectory.make()
        let server = try await ServerProcess.start(data: data, extra: ["--log-format", "json", "--log-level", "trace"])
        let password = "very-secret-password-42"
        let alice = try await server.http.account(username: "log_alice", password: password)
        let client = try await TestClient.connect(http: server.http, alice)
        _ = try await client.sync()
        _ = try await server.http.request("GET", "/api/me?token=\(alice.token)", token: alice.token)
        _ = try await server.http.request("POST", "/api/login", json: ["username": "log_alice", "password": "wrong-\(password)"])
        client.close()
        try await Task.sleep(for: .milliseconds(200))
        await server.stop()
        let lines = server.stderr.split(separator: "\n")
        #expect(lines.count >= 3, "expected log lines: \(server.stderr)")
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["msg"] != nil && object?["level"] != nil, "not a JSON log line: \(line)")
        }
        #expect(!server.stderr.contains(alice.token))
        #expect(!server.stderr.contains(password))
        #expect(server.stderr.contains("connection opened") && server.stderr.contains("connection closed"))
    }
}
