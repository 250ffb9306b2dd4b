/// A Nuki time of day: 2 bytes, hour (0–23) then minute (0–59). Used for the daily window of
/// authorizations and keypad codes, time control entries and nightmode.
///
/// Decoding an hour ≥ 24 or a minute ≥ 60 throws ``WireError/Code/badParameter``.
/// Source: Nuki BLE API 2.1 §"Data types", `docs/wire.md` §2 and §6.
public struct TimeOfDay: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var hour: UInt8
    public var minute: UInt8

    public static let byteCount = 2
    public static let midnight = TimeOfDay(hour: 0, minute: 0)

    public init(hour: UInt8, minute: UInt8) {
        self.hour = hour
        self.minute = minute
    }

    public var isValid: Bool { hour < 24 && minute < 60 }
    /// Minutes since midnight.
    public var minutesSinceMidnight: Int { Int(hour) * 60 + Int(minute) }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }

    public var description: String {
        (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }
}

extension WireReader {
    /// Reads a ``TimeOfDay``; throws `truncated` or `badParameter`.
    public mutating func readTimeOfDay(_ field: StaticString) throws(WireError) -> TimeOfDay {
        let value = TimeOfDay(hour: try readUInt8(field), minute: try readUInt8(field))
        guard value.isValid else {
            throw WireError(.badParameter, "\(context): \(field) \(value) is not a valid time of day")
        }
        return value
    }
}

extension WireWriter {
    public mutating func write(_ value: TimeOfDay) {
        write(value.hour)
        write(value.minute)
    }
}
