import LockWire

/// A point in time on the lock's clock: milliseconds since 1970-01-01T00:00:00Z (UTC).
///
/// Time is always injected: the runtime passes the wall clock or a virtual clock, tests and fuzzers
/// pass fixed values, so every run replays exactly. Conversions to the wire's ``DateTime`` are UTC
/// (Keyturner States and Update Time carry UTC, `docs/wire.md` §13).
public struct LockInstant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(secondsSince1970: Int64) {
        millisecondsSince1970 = secondsSince1970 &* 1000
    }

    /// The instant of a UTC ``DateTime``; nil for the unset or an invalid value.
    public init?(utc dateTime: DateTime) {
        guard !dateTime.isUnset, dateTime.isValid else { return nil }
        let days = CivilCalendar.daysSince1970(year: Int(dateTime.year), month: Int(dateTime.month), day: Int(dateTime.day))
        let seconds = Int64(days) * 86_400 + Int64(dateTime.hour) * 3600 + Int64(dateTime.minute) * 60 + Int64(dateTime.second)
        millisecondsSince1970 = seconds * 1000
    }

    public static func < (lhs: LockInstant, rhs: LockInstant) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// This instant plus `milliseconds`.
    public func adding(milliseconds: Int64) -> LockInstant {
        LockInstant(millisecondsSince1970: millisecondsSince1970 &+ milliseconds)
    }

    /// Milliseconds from `other` to this instant.
    public func milliseconds(since other: LockInstant) -> Int64 {
        millisecondsSince1970 &- other.millisecondsSince1970
    }

    /// The UTC date-time, seconds truncated toward the past; years outside 1…65535 clamp.
    public var utcDateTime: DateTime {
        let (seconds, _) = millisecondsSince1970.dividedFlooring(by: 1000)
        let (days, secondOfDay) = seconds.dividedFlooring(by: 86_400)
        let (year, month, day) = CivilCalendar.date(daysSince1970: days)
        guard year >= 1, year <= Int(UInt16.max) else {
            return year < 1 ? DateTime(year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0)
                : DateTime(year: .max, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        }
        return DateTime(
            year: UInt16(year), month: UInt8(month), day: UInt8(day), hour: UInt8(secondOfDay / 3600),
            minute: UInt8(secondOfDay / 60 % 60), second: UInt8(secondOfDay % 60))
    }

    public var description: String { utcDateTime.description + "Z" }
}

extension Int64 {
    /// Quotient rounded toward −∞ and the non-negative remainder.
    func dividedFlooring(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = self / divisor
        var r = self % divisor
        if r < 0 {
            q -= 1
            r += divisor
        }
        return (q, r)
    }
}
