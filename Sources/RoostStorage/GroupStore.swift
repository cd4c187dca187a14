/// Groups, membership and friends (issue: groups, friends, presence and typing).
public protocol GroupStore: Sendable {}
