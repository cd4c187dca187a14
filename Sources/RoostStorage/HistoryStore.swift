/// History, conversations, read positions and recall (issue: history and features).
public protocol HistoryStore: Sendable {}
