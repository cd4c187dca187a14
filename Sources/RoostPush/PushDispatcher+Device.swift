import Logging
import RoostStorage

extension PushDispatcher {
    /// The runner of one device: waits out its interval or backoff, sends,
    /// records the outcome, until nothing is pending and the interval passed.
    /// Being the only sender for its device is what keeps one request in flight.
    func runDevice(_ key: PushDeviceKey, generation: Int, sender: PushSender) async {
        while !Task.isCancelled {
            switch await table.next(key, generation: generation, now: .now) {
            case .done:
                return
            case .wait(let instant):
                try? await Task.sleep(until: instant, clock: .continuous)
            case .send:
                await attempt(key, generation: generation, sender: sender)
            }
        }
    }

    private func attempt(_ key: PushDeviceKey, generation: Int, sender: PushSender) async {
        // Checked again now: a device that connected meanwhile gets its items on the socket.
        if registry.connectedDevices(of: key.user).contains(key.device) {
            await table.skip(key, generation: generation)
            return
        }
        let endpoint: String
        let counters: PushCounters
        do {
            guard let registration = try await store.pushEndpoints(user: key.user)
                .first(where: { $0.device == key.device }) else {
                await table.remove(key, generation: generation)
                return
            }
            endpoint = registration.endpoint
            counters = try await store.pushCounters(user: key.user)
        } catch {
            logger.warning("reading push state failed", metadata: ["error": "\(error)"])
            await table.started(key, generation: generation, now: .now)
            _ = await table.finished(key, generation: generation, .failed, now: .now)
            return
        }
        guard await permits.acquire() else { return }
        await table.started(key, generation: generation, now: .now)
        let payload = PushPayload(userID: String(key.user), device: key.device, headSeq: counters.headSeq,
                                  unread: counters.unread)
        let outcome = await sender.send(payload, to: endpoint)
        await permits.release()
        switch outcome {
        case .delivered:
            metrics.sent.increment()
            _ = await table.finished(key, generation: generation, .delivered, now: .now)
        case .gone:
            metrics.removed.increment()
            logger.info("push endpoint gone, removed", metadata: ["user": "\(key.user)", "device": "\(key.device)"])
            await table.remove(key, generation: generation)
            do {
                try await store.removePushEndpoint(user: key.user, device: key.device, ifStill: endpoint)
            } catch {
                logger.warning("removing push endpoint failed", metadata: ["error": "\(error)"])
            }
        case .failed(let reason):
            metrics.failed.increment()
            logger.debug("push failed", metadata: ["user": "\(key.user)", "device": "\(key.device)", "reason": "\(reason)"])
            if await !table.finished(key, generation: generation, .failed, now: .now) {
                metrics.dropped.increment()
                logger.info("push given up", metadata: ["user": "\(key.user)", "device": "\(key.device)"])
            }
        }
    }
}
