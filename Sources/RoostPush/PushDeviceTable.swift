/// One device of one user, the unit of push coalescing.
struct PushDeviceKey: Hashable, Sendable {
    let user: Int64
    let device: String
}

/// The schedules of the devices with push work, bounded: a device stays while
/// a push is pending, failing, or within its interval, then is forgotten.
actor PushDeviceTable {
    enum Admission: Sendable {
        /// A new device: start its runner, which passes this generation back.
        case startRunner(generation: Int)
        /// Its runner is already there and will see the commit.
        case merged
        /// The table is full: the commit is dropped for this device.
        case full
    }

    private var states: [PushDeviceKey: (state: PushDeviceState, generation: Int)] = [:]
    /// Tells a removed device's runner from the runner of a re-registration,
    /// so one key never has two runners sending.
    private var nextGeneration = 0
    private let capacity: Int
    private let interval: Duration
    private let giveUpAfter: Duration

    init(capacity: Int, interval: Duration, giveUpAfter: Duration) {
        self.capacity = capacity
        self.interval = interval
        self.giveUpAfter = giveUpAfter
    }

    var count: Int { states.count }

    func commit(_ key: PushDeviceKey, now: ContinuousClock.Instant) -> Admission {
        if states[key] != nil {
            states[key]!.state.commit()
            return .merged
        }
        guard states.count < capacity else { return .full }
        var state = PushDeviceState(interval: interval, giveUpAfter: giveUpAfter, now: now)
        state.commit()
        nextGeneration += 1
        states[key] = (state, nextGeneration)
        return .startRunner(generation: nextGeneration)
    }

    /// What the runner does next; `.done` forgets the device (its runner ends).
    func next(_ key: PushDeviceKey, generation: Int, now: ContinuousClock.Instant) -> PushDeviceState.Step {
        guard let entry = states[key], entry.generation == generation else { return .done }
        let step = entry.state.next(now: now)
        if step == .done { states[key] = nil }
        return step
    }

    func started(_ key: PushDeviceKey, generation: Int, now: ContinuousClock.Instant) {
        guard states[key]?.generation == generation else { return }
        states[key]!.state.started(now: now)
    }

    /// Returns false when the push was given up.
    func finished(_ key: PushDeviceKey, generation: Int, _ outcome: PushDeviceState.Outcome,
                  now: ContinuousClock.Instant) -> Bool {
        guard states[key]?.generation == generation else { return true }
        return states[key]!.state.finished(outcome, now: now)
    }

    func skip(_ key: PushDeviceKey, generation: Int) {
        guard states[key]?.generation == generation else { return }
        states[key]!.state.skip()
    }

    /// Every device of `user` (a ban, a deleted account).
    func removeAll(user: Int64) {
        states = states.filter { $0.key.user != user }
    }

    /// The endpoint is gone (404/410, unregistered, banned): forget it at once.
    /// With a generation, only if the device was not re-registered since.
    func remove(_ key: PushDeviceKey, generation: Int? = nil) {
        if let generation, states[key]?.generation != generation { return }
        states[key] = nil
    }
}
