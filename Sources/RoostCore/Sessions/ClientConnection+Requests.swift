import Foundation
import Logging
import RoostProtocol
import RoostStorage

extension ClientConnection {
    /// The frame, or nil after the client was told what is wrong with it.
    func decode(_ text: Data) -> ClientFrame? {
        guard !isClosed else { return nil }
        do {
            return try ClientFrame(json: text)
        } catch {
            if identity == nil {
                refuseUnauthenticated(ref: nil)
            } else {
                fail(error.roostError, ref: error.ref)
            }
            return nil
        }
    }

    func handle(_ frame: ClientFrame) async {
        if identity == nil {
            await handleFirst(frame)
        } else {
            await handleActive(frame)
        }
    }

    /// A binary frame: not part of the protocol.
    func receiveBinary() {
        guard !isClosed else { return }
        if identity == nil {
            refuseUnauthenticated(ref: nil)
        } else {
            fail(.badRequest("binary frames are not supported"), ref: nil)
        }
    }

    private func handleFirst(_ frame: ClientFrame) async {
        guard frame.type == "login" else {
            refuseUnauthenticated(ref: frame.messageID)
            return
        }
        guard let ref = frame.messageID else {
            fail(.badRequest("login needs a message_id of 1-64 characters"), ref: nil)
            return
        }
        await login(frame, ref: ref)
    }

    private func handleActive(_ frame: ClientFrame) async {
        switch frame.type {
        case "ack":
            acknowledge(frame)
            return
        case "typing":
            if let typing = try? frame.decodeData(TypingRequest.self) { await relayTyping(typing) }
            return
        default:
            break
        }
        guard let ref = admit(frame) else { return }
        do {
            switch frame.type {
            case "login":
                throw RoostError.conflict("already logged in")
            case "heartbeat":
                respond(ref, HeartbeatResult(serverTime: nowMillis()))
            case "send_message":
                try await sendMessage(frame.decodeData(SendMessageRequest.self), ref: ref)
            case "sync_offline":
                try await sync(frame.decodeData(SyncRequest.self), ref: ref)
            case "join_group":
                try await joinGroup(frame.decodeData(GroupRequest.self), ref: ref)
            case "leave_group":
                try await leaveGroup(frame.decodeData(GroupRequest.self), ref: ref)
            case "history":
                try await history(frame.decodeData(HistoryRequest.self), ref: ref)
            case "read":
                try await read(frame.decodeData(ReadRequest.self), ref: ref)
            case "recall":
                try await recall(frame.decodeData(RecallRequest.self), ref: ref)
            case "edit":
                try await edit(frame.decodeData(EditRequest.self), ref: ref)
            case "react":
                try await react(frame.decodeData(ReactRequest.self), ref: ref)
            default:
                throw RoostError.badRequest("unknown request type \"\(frame.type)\"")
            }
        } catch {
            fail(clientError(error), ref: ref)
        }
    }

    /// The checks every request passes before it is looked at: a request
    /// id, the connection's request rate, and for a message the sender's
    /// message rate. Returns the id, or nil once the request was refused.
    func admit(_ frame: ClientFrame) -> String? {
        guard let ref = frame.messageID else {
            fail(.badRequest("requests need a message_id of 1-64 characters"), ref: nil)
            return nil
        }
        guard limits.allowRequest() else {
            refuseOverLimit(.rateLimited("too many requests, slow down"), ref: ref)
            return nil
        }
        if frame.type == "send_message", let identity {
            do {
                try services.limiter.message(by: identity.userID)
            } catch {
                refuseOverLimit(clientError(error), ref: ref)
                return nil
            }
        }
        return ref
    }

    func respond<R: Encodable>(_ ref: String, _ result: R) {
        respondInOrder(ServerFrame.ack(ref: ref, result: result), ref: ref)
    }

    func respond(_ ref: String, _ result: SendResult) {
        respondInOrder(ServerFrame.ack(ref: ref, result: result), ref: ref)
    }

    func fail(_ error: RoostError, ref: String?) {
        services.metrics.error(error.code.rawValue)
        respondInOrder(ServerFrame.error(error, ref: ref), ref: ref)
    }

    /// `rate_limited` for a request over a limit; the connection stays unless
    /// it keeps at it (its strikes are used up), then it is closed with 1008.
    func refuseOverLimit(_ error: RoostError, ref: String?) {
        fail(error, ref: ref)
        if !limits.strike() {
            logger.notice("closing a connection that keeps exceeding its rate limits")
            close(.policyViolation, reason: "rate limits exceeded persistently")
        }
    }

    private func refuseUnauthenticated(ref: String?) {
        fail(.unauthenticated("the first frame must be login"), ref: ref)
        close(.unauthenticated, reason: "unauthenticated")
    }

    /// Maps any failure to what the client is told; internals stay in the log.
    func clientError(_ error: any Error) -> RoostError {
        Self.clientError(error, logger: logger)
    }

    static func clientError(_ error: any Error, logger: Logger? = nil) -> RoostError {
        switch error {
        case let error as RoostError:
            return error
        case StorageError.overloaded:
            return .rateLimited("server busy, retry later")
        default:
            logger?.error("request failed", metadata: ["error": "\(error)"])
            return .internal()
        }
    }
}
