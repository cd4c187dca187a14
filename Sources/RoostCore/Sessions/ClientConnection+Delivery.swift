import RoostProtocol
import RoostStorage

extension ClientConnection {
    /// A committed item of this connection's user (from the registry).
    func offer(seq: Int64, frame: String) {
        window.offer(seq: seq, frame: redactedIfRecalled(frame) ?? frame)
        if identity != nil { pump() }
    }

    /// Items up to `seq` were committed elsewhere: read and push what is missing.
    func headAdvanced(to seq: Int64) {
        window.noteHead(seq)
        pump()
    }

    /// Sends what the window allows; reads missing items from storage in the
    /// background, unless the missing one is likely still on its way
    /// (`DeliveryWindow.awaitsOffer`): then only after `reorderGrace`.
    func pump(readingGaps: Bool = false) {
        guard identity != nil, welcomed, !isClosed else { return }
        let (frames, fetchAfter, limit) = window.takeReady(now: .now)
        send(pushes: frames)
        guard let fetchAfter, !fetching else { return }
        if !readingGaps, window.awaitsOffer(after: fetchAfter) {
            if gapTimer == nil {
                gapTimer = arm(at: .now + DeliveryWindow.reorderGrace) { connection in
                    connection.gapTimer = nil
                    connection.pump(readingGaps: true)
                }
            }
            return
        }
        fetching = true
        Task { await self.fetch(after: fetchAfter, limit: limit) }
    }

    private func fetch(after: Int64, limit: Int) async {
        guard let identity else {
            fetching = false
            return
        }
        do {
            let items = try await services.store.items(user: identity.userID, after: after, limit: limit)
            let frames = items.map { (seq: $0.seq, frame: ServerFrame.item($0)) }
            send(pushes: window.acceptFetched(frames, now: .now))
        } catch {
            logger.error("reading inbox failed", metadata: ["error": "\(error)"])
            fetching = false
            return
        }
        fetching = false
        pump()
    }

    private func send(pushes frames: [String]) {
        guard !frames.isEmpty else { return }
        for frame in frames { sink.send(frame) }
        services.metrics.itemsPushed.increment(by: frames.count)
        scheduleRetry()
    }

    /// An `ack` frame: a malformed one is ignored (it answers nothing).
    func acknowledge(_ frame: ClientFrame) {
        if let ack = try? frame.decodeData(AckRequest.self) { acknowledge(ack.seq) }
    }

    /// The client's cumulative ack.
    func acknowledge(_ seq: Int64) {
        guard let identity else { return }
        services.metrics.acks.increment()
        if let cursor = window.ack(seq) {
            services.store.setCursor(user: identity.userID, device: identity.device, to: cursor)
            pump()
        }
    }

    /// An item this connection's own request added: held by the client already.
    func markHeld(_ delivery: Delivery) {
        window.markHeld(delivery.item)
        pump()
        scheduleRetry()
    }

    func scheduleRetry() {
        guard retryTimer == nil, let due = window.nextDue else { return }
        retryTimer = arm(at: due) { $0.retryFired() }
    }

    /// Re-pushes due items and arms the timer for the next ones.
    private func retryFired() {
        retryTimer = nil
        guard !isClosed else { return }
        switch window.retry(now: .now) {
        case .exhausted:
            logger.info("closing: items pushed too often without an ack")
            close(.unacked, reason: "items not acknowledged")
        case .resend(let frames, let nextDue):
            for frame in frames { sink.send(frame) }
            if !frames.isEmpty { services.metrics.retries.increment(by: frames.count) }
            if let nextDue { retryTimer = arm(at: nextDue) { $0.retryFired() } }
        }
    }

    func startIdleTimer() {
        idleTimer = arm(at: .now + services.settings.idleTimeout) { $0.idleTimerFired() }
    }

    /// Closes the connection if nothing came in for the idle timeout; else
    /// looks again when the timeout after the last traffic ends.
    private func idleTimerFired() {
        idleTimer = nil
        guard !isClosed else { return }
        let deadline = max(lastInbound, sink.lastControlFrame ?? lastInbound) + services.settings.idleTimeout
        if deadline <= .now {
            logger.info("closing idle connection")
            close(.idle, reason: "idle")
            return
        }
        idleTimer = arm(at: deadline) { $0.idleTimerFired() }
    }
}
