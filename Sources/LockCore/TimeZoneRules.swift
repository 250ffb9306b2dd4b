import LockWire
import Synchronization

/// The rules of the time zones a lock can be set to (Config's timezone id, `docs/wire.md` §5.8),
/// as a value: for each zone, the periods between its offset changes, each with its offset from
/// UTC and the daylight-saving part of that offset. The lock core never reads the host's tz
/// database; the runtime builds this value at its edge (`LockHost`'s
/// `TimeZoneRules.systemDatabase`) and hands it to ``LockMachine/timeZoneRules``, so tests,
/// fuzzers and replays decide local time from data they control.
///
/// A zone without rules here (or ``empty``) makes ``LocalTime`` fall back to Config's fixed offset
/// and DST mode, as for timezone id 0xFFFF.
public struct TimeZoneRules: Sendable, Hashable {
    /// From `start` until the next period's start, local time is UTC + `offsetSeconds`, of which
    /// `daylightSeconds` are daylight-saving time.
    public struct Period: Sendable, Hashable {
        /// Milliseconds since 1970-01-01 00:00 UTC; `Int64.min` for the zone's first period.
        public var start: Int64
        /// Local time minus UTC, seconds, DST included.
        public var offsetSeconds: Int32
        /// The daylight-saving part of ``offsetSeconds`` (0 outside DST).
        public var daylightSeconds: Int32

        public init(start: Int64, offsetSeconds: Int32, daylightSeconds: Int32) {
            self.start = start
            self.offsetSeconds = offsetSeconds
            self.daylightSeconds = daylightSeconds
        }
    }

    /// Shared storage: machines copied for every command share one table, and two copies compare
    /// equal by identity before any zone is compared. Rules with a loader fill their table zone
    /// by zone, on first use (reading a tz database for every zone up front is slow).
    private final class Storage: Sendable {
        let known: [UInt16]
        let loader: (@Sendable (TimeZoneID) -> [Period]?)?
        let table: Mutex<[UInt16: [Period]]>
        init(_ zones: [UInt16: [Period]], known: [UInt16], loader: (@Sendable (TimeZoneID) -> [Period]?)?) {
            self.known = known
            self.loader = loader
            table = Mutex(zones)
        }

        func periods(_ zone: UInt16) -> [Period]? {
            if let periods = table.withLock({ $0[zone] }) { return periods }
            guard let loader, known.contains(zone), let loaded = loader(TimeZoneID(rawValue: zone)), !loaded.isEmpty else { return nil }
            let sorted = TimeZoneRules.sorted(loaded)
            table.withLock { $0[zone] = sorted }
            return sorted
        }
    }

    private let storage: Storage

    /// Rules for `zones`; each zone's periods are sorted by start (duplicated starts keep the last).
    public init(zones: [TimeZoneID: [Period]]) {
        var sorted: [UInt16: [Period]] = [:]
        for (zone, periods) in zones where !periods.isEmpty { sorted[zone.rawValue] = Self.sorted(periods) }
        storage = Storage(sorted, known: sorted.keys.sorted(), loader: nil)
    }

    /// Rules for the zones `known`, each read by `loader` when first asked for (then kept). The
    /// loader must give the same periods every time: it stands for a fixed database.
    public init(known: [TimeZoneID], loader: @escaping @Sendable (TimeZoneID) -> [Period]?) {
        storage = Storage([:], known: known.map(\.rawValue).sorted(), loader: loader)
    }

    static func sorted(_ periods: [Period]) -> [Period] {
        periods.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
    }

    /// No rules: every zone uses the fixed offset and DST mode.
    public static let empty = TimeZoneRules(zones: [:])

    /// The zones that have rules.
    public var zones: [TimeZoneID] { storage.known.map(TimeZoneID.init(rawValue:)) }

    /// The period of `zone` in force at `instant`, or nil when there are no rules for the zone.
    /// Before the first period's start, the first period applies.
    public func period(of zone: TimeZoneID, at instant: LockInstant) -> Period? {
        guard let periods = storage.periods(zone.rawValue), let first = periods.first else { return nil }
        let ms = instant.millisecondsSince1970
        // The last period whose start is at or before `ms` (binary search).
        var low = 0
        var high = periods.count
        while low < high {
            let middle = low + (high - low) / 2
            if periods[middle].start <= ms { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? first : periods[low - 1]
    }

    /// Same storage, or the same zones with the same periods (loaders are asked for every zone).
    public static func == (lhs: TimeZoneRules, rhs: TimeZoneRules) -> Bool {
        if lhs.storage === rhs.storage { return true }
        guard lhs.storage.known == rhs.storage.known else { return false }
        return lhs.storage.known.allSatisfy { lhs.storage.periods($0) == rhs.storage.periods($0) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.known)
    }
}

/// Holds ``LockMachine/timeZoneRules``, which come from the host and are not the lock's state:
/// two machines compare equal (and hash alike) whatever rules they were handed, and the state file
/// neither writes nor reads them (a loaded machine has ``TimeZoneRules/empty`` until its runtime
/// sets them).
@propertyWrapper
public struct HostProvidedRules: Sendable, Hashable, Codable {
    public var wrappedValue: TimeZoneRules

    public init(wrappedValue: TimeZoneRules) { self.wrappedValue = wrappedValue }

    public static func == (lhs: Self, rhs: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
    public init(from decoder: any Decoder) throws { wrappedValue = .empty }
    public func encode(to encoder: any Encoder) throws {}
}

// Keep the key out of the machine's JSON altogether.
extension KeyedEncodingContainer {
    mutating func encode(_ value: HostProvidedRules, forKey key: Key) throws {}
}

extension KeyedDecodingContainer {
    func decode(_ type: HostProvidedRules.Type, forKey key: Key) throws -> HostProvidedRules { HostProvidedRules(wrappedValue: .empty) }
}
