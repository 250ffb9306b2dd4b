import LockWire

/// The lock's log: a bounded ring of Log Entries (0x0032) with a counter of entries dropped when it
/// was full (`docs/attacks.md` X-02), and the Request Log Entries paging of `docs/wire.md` §8.
public struct LockLog: Hashable, Sendable, Codable {
    /// Entries kept; older ones are dropped and counted.
    public var capacity: Int = 1_000
    /// Most entries sent for one request, whatever count it asks (`docs/attacks.md` X-05).
    public static let maxEntriesPerRequest = 100

    public internal(set) var entries: [LogEntry] = []
    public internal(set) var droppedCount: UInt64 = 0
    public internal(set) var nextIndex: UInt32 = 1
    public var enabled = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case capacity, entries, droppedCount, nextIndex, enabled
    }

    /// Reads the log of a state file. `entries` is an array of hex strings, each one entry's Log
    /// Entry (0x0032) payload decoded with the bounds-checked wire codec; state files written before
    /// this form (an array of objects) still load. A malformed entry throws `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        capacity = try c.decode(Int.self, forKey: .capacity)
        droppedCount = try c.decode(UInt64.self, forKey: .droppedCount)
        nextIndex = try c.decode(UInt32.self, forKey: .nextIndex)
        enabled = try c.decode(Bool.self, forKey: .enabled)
        if let encoded = try? c.decode([String].self, forKey: .entries) {
            entries = try encoded.enumerated().map { position, hex in
                do throws(WireError) {
                    return try Self.entry(hex: hex)
                } catch {
                    throw DecodingError.dataCorruptedError(forKey: .entries, in: c, debugDescription: "log entry \(position)\(error.reason)")
                }
            }
        } else {
            entries = try c.decode([LogEntry].self, forKey: .entries)
        }
    }

    /// An entry in its state-file form: the hex of its Log Entry (0x0032) payload.
    public static func hex(_ entry: LogEntry) -> String { Hex.encode(entry.encoded()) }

    /// The entry of ``hex(_:)``'s form, read with the bounds-checked wire codec. Throws
    /// ``LockWire/WireError`` whose reason starts " is not hex" or ": " and the codec's reason.
    public static func entry(hex: String) throws(WireError) -> LogEntry {
        guard let bytes = Hex.decode(hex) else { throw WireError(.badParameter, " is not hex") }
        do {
            return try LogEntry(payload: bytes)
        } catch {
            throw WireError(error.code, ": " + error.reason)
        }
    }

    /// Writes each entry as the hex of its Log Entry payload: the documented wire form, and one
    /// JSON string per entry instead of a nested object, which keeps saving a full log (done on
    /// every commit of `lock serve`) about ten times cheaper.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(entries.map(Self.hex), forKey: .entries)
        try c.encode(droppedCount, forKey: .droppedCount)
        try c.encode(nextIndex, forKey: .nextIndex)
        try c.encode(enabled, forKey: .enabled)
    }

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
