import LockWire

/// The lock's log: a bounded ring of Log Entries (0x0032) with a counter of entries dropped when it
/// was full (`security.md` X-02), and the Request Log Entries paging of `protocol.md` §8.
public struct LockLog: Hashable, Sendable, Codable {
    /// Entries kept; older ones are dropped and counted.
    public var capacity: Int = 1_000
    /// Most entries sent for one request, whatever count it asks (`security.md` X-05).
    public static let maxEntriesPerRequest = 100

    public internal(set) var entries: [LogEntry] = []
    public internal(set) var droppedCount: UInt64 = 0
    public internal(set) var nextIndex: UInt32 = 1
    public var enabled = true

    public init() {}

    /// Appends an entry with the next index (skipped while logging is disabled, except the entry
    /// that records logging being switched).
    mutating func append(timestamp: DateTime, authID: UInt32, name: FixedName, event: LogEntry.Event) {
        if case .loggingEnabled = event {} else if !enabled { return }
        entries.append(LogEntry(index: nextIndex, timestamp: timestamp, authID: authID, name: name, event: event))
        nextIndex &+= 1
        if entries.count > capacity {
            entries.removeFirst(entries.count - capacity)
            droppedCount &+= 1
        }
    }

    /// The entries a Request Log Entries asks for: `startIndex` 0 starts at the newest (descending)
    /// or oldest (ascending) entry, otherwise just after (or before) that index; at most `count`,
    /// capped at ``maxEntriesPerRequest``.
    public func page(startIndex: UInt32, count: UInt16, descending: Bool) -> [LogEntry] {
        let ordered = descending ? Array(entries.reversed()) : entries
        let after = ordered.drop { entry in
            startIndex != 0 && (descending ? entry.index >= startIndex : entry.index <= startIndex)
        }
        return Array(after.prefix(min(Int(count), Self.maxEntriesPerRequest)))
    }
}
