/// A Nuki date-time: 7 bytes, year u16 LE, month, day, hour, minute, second (u8 each).
///
/// All zero means "not set" (unset time limits, zeroed log timestamps) and is accepted. Any other value
/// must be a real calendar time: month 1–12, day within the month, hour < 24, minute and second < 60,
/// year ≥ 1; otherwise decoding throws ``WireError/Code/badParameter`` (security case P-09).
///
/// Source: Nuki BLE API 2.1 §"Data types", `docs/wire.md` §2.
public struct DateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: UInt16
    public var month: UInt8
    public var day: UInt8
    public var hour: UInt8
    public var minute: UInt8
    public var second: UInt8

    /// Size on the wire.
    public static let byteCount = 7
    /// The all-zero "not set" value.
    public static let unset = DateTime(year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0)

    public init(year: UInt16, month: UInt8, day: UInt8, hour: UInt8, minute: UInt8, second: UInt8) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// True for the all-zero value.
    public var isUnset: Bool { self == .unset }

    /// True when this is ``unset`` or a real calendar time (Gregorian, leap years included).
    public var isValid: Bool {
        if isUnset { return true }
        guard year >= 1, (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return false }
        return day >= 1 && day <= DateTime.daysIn(month: month, year: year)
    }

    /// Days in `month` (1–12) of `year`, Gregorian calendar.
    public static func daysIn(month: UInt8, year: UInt16) -> UInt8 {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (lhs: DateTime, rhs: DateTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    /// ISO 8601 without zone, e.g. `2016-03-07T08:15:30`.
    public var description: String {
        func pad(_ v: some BinaryInteger, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }
}

extension WireReader {
    /// Reads a ``DateTime``; throws `truncated` or `badParameter`.
    public mutating func readDateTime(_ field: StaticString) throws(WireError) -> DateTime {
        let value = DateTime(
            year: try readUInt16(field), month: try readUInt8(field), day: try readUInt8(field),
            hour: try readUInt8(field), minute: try readUInt8(field), second: try readUInt8(field))
        guard value.isValid else {
            throw WireError(.badParameter, "\(context): \(field) \(value) is not a valid date-time")
        }
        return value
    }
}

extension WireWriter {
    public mutating func write(_ value: DateTime) {
        write(value.year)
        write(value.month)
        write(value.day)
        write(value.hour)
        write(value.minute)
        write(value.second)
    }
}
