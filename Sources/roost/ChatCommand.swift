import ArgumentParser
import Foundation
import RoostClient
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `roost chat`: the terminal client.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat from the terminal.",
        discussion: """
            Interactive: lines you type go to the open conversation; /list, /open NAME, /group NAME, /help; \
            Ctrl-D quits. Items received while away are synced on start from a cursor kept in --state.
            Scripted: --send TO TEXT sends one message (TO is a username or #group) and exits 0 once the \
            server acknowledged it, 1 otherwise. The password comes from --password-file, else $ROOST_PASSWORD, \
            else a prompt without echo.
            """)

    @Option(help: "Server URL.") var server = "http://127.0.0.1:8080"
    @Option(help: "PEM file of a CA (or a self-signed certificate) to trust for an https server, beside the system's roots.")
    var caFile: String?
    @Option(help: "Username.") var user: String
    @Option(help: "Read the password from the first line of this file.") var passwordFile: String?
    @Option(help: "Device name (each device has its own delivery cursor).") var device = "cli"
    @Option(help: "Cursor file (default: ~/.local/state/roost/<user>@<host>-<port>.json).") var state: String?
    @Option(parsing: .upToNextOption, help: "Send one message and exit: --send TO TEXT.") var send: [String] = []
    @Option(help: "Request id of the --send message (repeat a send safely: the server stores it once).")
    var messageID: String?

    func validate() throws {
        if !send.isEmpty && send.count != 2 { throw ValidationError("--send takes TO and TEXT (quote the text)") }
        if let url = URL(string: server), url.scheme == "https", let host = url.host, Self.isIPAddress(host) {
            // The WebSocket client names the host in TLS (SNI), which cannot be an address.
            throw ValidationError("an https --server needs the host name its certificate names, not the address \(host)")
        }
    }

    func run() async throws {
        var options = ChatSession.Options(server: server, username: user, password: try password())
        options.device = send.isEmpty ? device : "\(device)-send"
        if let caFile {
            do {
                options.tls = try RoostHTTP.trusting(caFile: caFile)
            } catch {
                throw ValidationError("cannot read a certificate from \(caFile): \(error)")
            }
        }
        let stdout = LineWriter()
        if send.isEmpty {
            options.stateFile = state ?? defaultStatePath()
            let session = ChatSession(options: options) { stdout.write($0) }
            do {
                try await session.run(lines: Self.standardInputLines())
            } catch {
                FileHandle.standardError.write(Data("roost chat: \(error)\n".utf8))
                throw ExitCode.failure
            }
        } else {
            // A one-shot send neither prints nor acks the backlog: the cursor of the
            // interactive device is left alone.
            let session = ChatSession(options: options) { _ in }
            do {
                try await session.connectOnly()
                let id = try await session.send(to: send[0], text: send[1], messageID: messageID)
                await session.stop()
                print(id)
            } catch {
                await session.stop()
                FileHandle.standardError.write(Data("roost chat: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    func password() throws -> String {
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("cannot read \(passwordFile)")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        if let env = ProcessInfo.processInfo.environment["ROOST_PASSWORD"], !env.isEmpty { return env }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("no password: use --password-file or ROOST_PASSWORD when stdin is not a terminal")
        }
        return Self.promptWithoutEcho("Password for \(user): ")
    }

    static func promptWithoutEcho(_ prompt: String) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        let line = readLine(strippingNewline: true) ?? ""
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
        FileHandle.standardError.write(Data("\n".utf8))
        return line
    }

    func defaultStatePath() -> String {
        let base = ProcessInfo.processInfo.environment["XDG_STATE_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        let url = URL(string: server)
        let host = url?.host ?? "server"
        let port = url?.port.map(String.init) ?? (url?.scheme == "https" ? "443" : "80")
        return (base as NSString).appendingPathComponent("roost/\(user)@\(host)-\(port)-\(device).json")
    }

    /// Standard input, line by line, read on a thread of its own; ends at EOF (Ctrl-D).
    static func standardInputLines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
            thread.start()
        }
    }
}

/// Serialises output lines from the session's tasks.
final class LineWriter: Sendable {
    private let lock = NSLock()

    func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
