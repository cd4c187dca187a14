import Foundation
import RoostProtocol

/// A message read from the socket, as the connection sees it: a text
/// message as its bytes, which are what the JSON reading takes (a `String`
/// first cost a second copy of every frame).
public enum InboundMessage: Sendable {
    case text(Data)
    case binary
}

/// A connection's frames read but not yet handled. Bounded: when it holds
/// `pauseAt` frames the socket stops being read (TCP pushes back on the
/// client) until the connection has caught up to `resumeAt`.
struct InboundQueue {
    static let pauseAt = 64
    static let resumeAt = 16

    private var frames: [InboundMessage] = []
    private var head = 0
    /// A task is handling frames (or the session has not started reading yet).
    var busy = true
    /// `send_message` requests waiting for their commit (ClientConnection.pipelined).
    var sendsInFlight = 0
    var settledWaiters: [CheckedContinuation<Void, Never>] = []
    /// Overlapped sends in arrival order, with their answer once it is ready.
    var answers: [(ref: String, frame: String?)] = []
    static let maxSendsInFlight = 64
    var paused = false

    var count: Int { frames.count - head }

    mutating func append(_ message: InboundMessage) { frames.append(message) }

    mutating func next() -> InboundMessage? {
        guard head < frames.count else {
            frames.removeAll(keepingCapacity: frames.capacity <= 64)
            head = 0
            return nil
        }
        defer { head += 1 }
        return frames[head]
    }
}

extension ClientConnection {
    /// A frame from the socket, called on this connection's event loop by the
    /// transport as it reads (the one place inbound traffic is noted for the
    /// idle timeout). Frames are handled one at a time, in order: a
    /// `send_message` is in storage's queue before the next frame is looked at.
    public func accept(_ message: InboundMessage) {
        lastInbound = .now
        inbound.append(message)
        if inbound.count >= InboundQueue.pauseAt, !inbound.paused {
            inbound.paused = true
            sink.setReading(false)
        }
        guard !inbound.busy else { return }
        inbound.busy = true
        // Most frames (a send, a cumulative ack) need no waiting: handled
        // here, a task only for the first one that does. A task per frame
        // read was a job on the loop and an allocation per message (issue 9).
        guard let waiting = handleReady() else {
            inbound.busy = false
            return
        }
        Task { await self.handleInbound(startingWith: waiting) }
    }

    /// Frames are taken from the queue once the session has started (welcome
    /// sent, or waiting for `login`).
    func startReading() {
        Task { await self.handleInbound(startingWith: nil) }
    }

    /// Handles `first`, then the queue, one frame at a time, until it is empty.
    private func handleInbound(startingWith first: ClientFrame?) async {
        var waiting = first
        repeat {
            if let frame = waiting {
                // Anything but a cumulative ack or typing (which answer
                // nothing) sees the sends before it committed and acked.
                if frame.type != "ack" && frame.type != "typing" { await sendsSettled() }
                await handle(frame)
            }
            waiting = handleReady()
        } while waiting != nil
        inbound.busy = false
    }

    /// Handles queued frames while they need no waiting; returns the first
    /// that does (decoded), nil once the queue is empty.
    private func handleReady() -> ClientFrame? {
        while let message = inbound.next() {
            if inbound.paused, inbound.count <= InboundQueue.resumeAt {
                inbound.paused = false
                sink.setReading(true)
            }
            guard case .text(let text) = message else {
                receiveBinary()
                continue
            }
            guard let frame = decode(text) else { continue }
            if inbound.sendsInFlight < InboundQueue.maxSendsInFlight, let request = pipelined(frame) {
                // The send starts at once and runs until it waits for its
                // commit: it is in storage's queue before the next frame is
                // looked at, so sends commit in arrival order. Their answers
                // leave in that order too (respondInOrder).
                let ref = frame.messageID ?? ""
                inbound.sendsInFlight += 1
                inbound.answers.append((ref, nil))
                if !startSend(request, frame: frame, ref: ref) {
                    Task.immediate {
                        await self.handle(frame)
                        self.sendFinished(ref: ref)
                    }
                }
            } else if frame.type == "ack", identity != nil {
                acknowledge(frame)
            } else {
                return frame
            }
        }
        return nil
    }

    func sendFinished(ref: String) {
        // A send that answered nothing (the connection closed) must not hold back the others.
        if let index = inbound.answers.firstIndex(where: { $0.ref == ref && $0.frame == nil }) {
            inbound.answers.remove(at: index)
            flushAnswers()
        }
        inbound.sendsInFlight -= 1
        guard inbound.sendsInFlight == 0 else { return }
        let waiting = inbound.settledWaiters
        inbound.settledWaiters = []
        for waiter in waiting { waiter.resume() }
    }

    /// Returns once no overlapped `send_message` is waiting for its commit.
    private func sendsSettled() async {
        guard inbound.sendsInFlight > 0 else { return }
        await withCheckedContinuation { inbound.settledWaiters.append($0) }
    }

    /// Sends an answer (`ack` or `error`) to a request. Answers to overlapped
    /// sends leave in the order the sends arrived, whatever order their tasks
    /// resume in after the commit.
    func respondInOrder(_ frame: String, ref: String?) {
        guard let ref, let index = inbound.answers.firstIndex(where: { $0.ref == ref && $0.frame == nil }) else {
            sink.send(frame)
            return
        }
        inbound.answers[index].frame = frame
        flushAnswers()
    }

    private func flushAnswers() {
        while let first = inbound.answers.first, let frame = first.frame {
            inbound.answers.removeFirst()
            sink.send(frame)
        }
    }

    /// A `send_message` that reaches storage's queue without waiting on
    /// anything first (a 1:1 message, or a group whose members are cached):
    /// several of them may wait for their commit at once, so a client with
    /// many messages in flight gets them into one group commit instead of one
    /// commit each. Everything else is handled one at a time. Returns the
    /// request when it may overlap, nil otherwise.
    private func pipelined(_ frame: ClientFrame) -> SendMessageRequest? {
        guard identity != nil, frame.type == "send_message", frame.messageID != nil, services.store.commitsInSubmissionOrder,
              let request = try? frame.decodeData(SendMessageRequest.self) else { return nil }
        guard let group = request.groupID, let id = parseGroupID(group) else { return request }
        return services.groups.isCached(id) ? request : nil
    }

    /// Runs `work` on this connection's executor without waiting for it: a
    /// push from another connection, the registry or another node costs one
    /// enqueue on this socket's event loop and no hop back to the caller.
    nonisolated func post(_ work: @escaping @Sendable (isolated ClientConnection) -> Void) {
        sink.execute { self.assumeIsolated(work) }
    }

    /// `post` of a committed item (after noting `recalled`, a recall's
    /// message id): one closure per push, where `post { $0.offer(...) }`
    /// allocated two, the work and the wrapper that enters the actor.
    nonisolated func postOffer(seq: Int64, frame: String, recalled: String? = nil) {
        sink.execute {
            self.assumeIsolated { connection in
                if let recalled { connection.noteRecalled(recalled) }
                connection.offer(seq: seq, frame: frame)
            }
        }
    }
}
