import RoostProtocol
import RoostStorage
import Synchronization

/// Group membership, cached from storage so that a group message needs no
/// member-list query: `send_message` checks membership here and hands the
/// snapshot to storage, which only compares the group's version (one primary
/// key read) inside the send's transaction.
///
/// Entries are replaced after the transaction of a change commits, by version,
/// so a late or concurrent load never overwrites newer state. A lock, not an
/// actor: every group message reads it, and the lock is held only to look up
/// or replace one entry; callers loop over a snapshot's members outside it.
public final class GroupDirectory: Sendable {
    private struct State {
        var groups: [Int64: GroupSnapshot] = [:]
        /// Group ids are Snowflakes and never reused: a deleted group stays deleted.
        var deleted: Set<Int64> = []
    }

    private let store: any RoostStore
    private let state = Mutex(State())

    public init(store: any RoostStore) {
        self.store = store
    }

    /// The group's current state, loaded on first use; nil if it does not exist.
    nonisolated(nonsending) public func snapshot(_ id: Int64) async throws -> GroupSnapshot? {
        enum Cached { case deleted, found(GroupSnapshot), missing }
        let cached = state.withLock { s -> Cached in
            if s.deleted.contains(id) { return .deleted }
            return s.groups[id].map(Cached.found) ?? .missing
        }
        switch cached {
        case .deleted: return nil
        case .found(let snapshot): return snapshot
        case .missing: break
        }
        guard let info = try await store.group(id: id) else { return nil }
        apply(info)
        return state.withLock { $0.groups[id] }
    }

    /// The group's state if it is known without a read and the group exists.
    public func cachedSnapshot(_ id: Int64) -> GroupSnapshot? {
        state.withLock { $0.groups[id] }
    }

    /// Whether the group's state (or its deletion) is known without a read.
    public func isCached(_ id: Int64) -> Bool {
        state.withLock { $0.groups[id] != nil || $0.deleted.contains(id) }
    }

    /// Records a committed state (newer versions win; deletions are final).
    public func apply(_ info: GroupInfo) {
        state.withLock { s in
            if info.deleted {
                s.deleted.insert(info.id)
                s.groups[info.id] = nil
                return
            }
            guard !s.deleted.contains(info.id) else { return }
            if let cached = s.groups[info.id], cached.info.version >= info.version { return }
            s.groups[info.id] = GroupSnapshot(info)
        }
    }
}

/// One version of a group with a set for O(1) membership checks.
public struct GroupSnapshot: Sendable {
    public let info: GroupInfo
    public let memberSet: Set<Int64>

    init(_ info: GroupInfo) {
        self.info = info
        self.memberSet = Set(info.members)
    }

    public func isMember(_ user: Int64) -> Bool { memberSet.contains(user) }
}

/// Turns a wire group id into a stored one; unparsable ids name no group.
public func parseGroupID(_ text: String) -> Int64? {
    parseUserID(text)
}
