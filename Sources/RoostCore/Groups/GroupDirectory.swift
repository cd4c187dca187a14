import RoostProtocol
import RoostStorage

/// Group membership, cached from storage so that a group message needs no
/// member-list query: `send_message` checks membership here and hands the
/// snapshot to storage, which only compares the group's version (one primary
/// key read) inside the send's transaction.
///
/// Entries are replaced after the transaction of a change commits, by version,
/// so a late or concurrent load never overwrites newer state. The actor only
/// holds maps: callers loop over a snapshot's members outside it.
public actor GroupDirectory {
    private let store: any RoostStore
    private var groups: [Int64: GroupSnapshot] = [:]
    /// Group ids are Snowflakes and never reused: a deleted group stays deleted.
    private var deleted: Set<Int64> = []

    public init(store: any RoostStore) {
        self.store = store
    }

    /// The group's current state, loaded on first use; nil if it does not exist.
    public func snapshot(_ id: Int64) async throws -> GroupSnapshot? {
        if deleted.contains(id) { return nil }
        if let cached = groups[id] { return cached }
        guard let info = try await store.group(id: id) else { return nil }
        apply(info)
        return groups[id]
    }

    /// Records a committed state (newer versions win; deletions are final).
    public func apply(_ info: GroupInfo) {
        if info.deleted {
            deleted.insert(info.id)
            groups[info.id] = nil
            return
        }
        guard !deleted.contains(info.id) else { return }
        if let cached = groups[info.id], cached.info.version >= info.version { return }
        groups[info.id] = GroupSnapshot(info)
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
