/// The weekday bitmask (u8) of time-restricted authorizations, keypad codes and time control entries:
/// bit 6 Monday (0x40) … bit 0 Sunday (0x01), bit 7 unused. The empty set means every day.
///
/// Decoding a mask with bit 7 set throws ``WireError/Code/badParameter``.
/// Source: Nuki BLE API 2.1 §"Authorization Entry" (allowed weekdays), `docs/wire.md` §6.
public struct Weekdays: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let monday = Weekdays(rawValue: 0x40)
    public static let tuesday = Weekdays(rawValue: 0x20)
    public static let wednesday = Weekdays(rawValue: 0x10)
    public static let thursday = Weekdays(rawValue: 0x08)
    public static let friday = Weekdays(rawValue: 0x04)
    public static let saturday = Weekdays(rawValue: 0x02)
    public static let sunday = Weekdays(rawValue: 0x01)
    /// Every bit the API defines.
    public static let all: Weekdays = [.monday, .tuesday, .wednesday, .thursday, .friday, .saturday, .sunday]

    /// Day names, e.g. `[Mon, Fri]`; `[every day]` for the empty mask.
    public var description: String {
        if isEmpty { return "[every day]" }
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return "[" + (1...7).filter { rawValue & (0x80 >> UInt8($0)) != 0 }.map { names[$0 - 1] }.joined(separator: ", ") + "]"
    }

    /// Whether `weekday` is allowed; the empty mask allows every day.
    /// - Parameter isoWeekday: 1 = Monday … 7 = Sunday (ISO 8601).
    public func allows(isoWeekday: Int) -> Bool {
        guard (1...7).contains(isoWeekday) else { return false }
        if isEmpty { return true }
        return rawValue & (0x80 >> UInt8(isoWeekday)) != 0
    }
}

extension WireReader {
    /// Reads a ``Weekdays`` mask; throws `truncated` or `badParameter` (bit 7 set).
    public mutating func readWeekdays(_ field: StaticString) throws(WireError) -> Weekdays {
        let raw = try readUInt8(field)
        guard raw & 0x80 == 0 else {
            throw WireError(.badParameter, "\(context): \(field) 0x\(String(raw, radix: 16)) sets the unused bit 7")
        }
        return Weekdays(rawValue: raw)
    }
}

extension WireWriter {
    public mutating func write(_ value: Weekdays) { write(value.rawValue) }
}
