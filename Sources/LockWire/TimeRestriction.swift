/// The time restriction shared by authorizations and keypad codes (20 bytes):
///
/// | size | field |
/// |---|---|
/// | 1 | time limited (0/1) |
/// | 7 | allowed from date (``DateTime``, compared in UTC) |
/// | 7 | allowed until date |
/// | 1 | allowed weekdays (``Weekdays``, 0 = every day) |
/// | 2 | allowed from time (``TimeOfDay``, lock's local time) |
/// | 2 | allowed until time |
///
/// Sent in full even when not time limited (all real clients read the fixed form).
/// Source: Nuki BLE API 2.1 §"Authorization Entry" and §"Add Keypad Code", `docs/wire.md` §6, §7, §13.
public struct TimeRestriction: Hashable, Sendable, Codable {
    public var timeLimited: Bool
    public var allowedFrom: DateTime
    public var allowedUntil: DateTime
    public var allowedWeekdays: Weekdays
    public var allowedFromTime: TimeOfDay
    public var allowedUntilTime: TimeOfDay

    public static let byteCount = 20
    /// Not time limited; all fields zero.
    public static let unrestricted = TimeRestriction(
        timeLimited: false, allowedFrom: .unset, allowedUntil: .unset, allowedWeekdays: [],
        allowedFromTime: .midnight, allowedUntilTime: .midnight)

    public init(
        timeLimited: Bool, allowedFrom: DateTime, allowedUntil: DateTime, allowedWeekdays: Weekdays,
        allowedFromTime: TimeOfDay, allowedUntilTime: TimeOfDay
    ) {
        self.timeLimited = timeLimited
        self.allowedFrom = allowedFrom
        self.allowedUntil = allowedUntil
        self.allowedWeekdays = allowedWeekdays
        self.allowedFromTime = allowedFromTime
        self.allowedUntilTime = allowedUntilTime
    }
}

extension WireReader {
    public mutating func readTimeRestriction() throws(WireError) -> TimeRestriction {
        TimeRestriction(
            timeLimited: try readBool("time limited"),
            allowedFrom: try readDateTime("allowed from date"),
            allowedUntil: try readDateTime("allowed until date"),
            allowedWeekdays: try readWeekdays("allowed weekdays"),
            allowedFromTime: try readTimeOfDay("allowed from time"),
            allowedUntilTime: try readTimeOfDay("allowed until time"))
    }
}

extension WireWriter {
    public mutating func write(_ value: TimeRestriction) {
        write(value.timeLimited)
        write(value.allowedFrom)
        write(value.allowedUntil)
        write(value.allowedWeekdays)
        write(value.allowedFromTime)
        write(value.allowedUntilTime)
    }
}
