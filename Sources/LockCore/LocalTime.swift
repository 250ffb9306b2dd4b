import Foundation
import LockWire

/// The lock's local time: how many minutes it is ahead of UTC at an instant.
///
/// With a timezone id of Config (`protocol.md` §5.8) the platform's tz database decides, DST
/// included; DST mode off then keeps the zone's standard offset all year. Without a timezone id
/// (0xFFFF) the configured fixed offset applies, plus one hour during EU summer time when DST mode
/// is European (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC, Directive
/// 2000/84/EC). Daily windows of authorizations and keypad codes are evaluated in this local time.
public struct LocalTime: Hashable, Sendable {
    public var timezoneID: TimeZoneID
    public var fixedOffsetMinutes: Int
    public var dstMode: DSTMode

    public init(timezoneID: TimeZoneID, fixedOffsetMinutes: Int, dstMode: DSTMode) {
        self.timezoneID = timezoneID
        self.fixedOffsetMinutes = fixedOffsetMinutes
        self.dstMode = dstMode
    }

    /// Local time minus UTC, in minutes, at `instant`.
    public func offsetMinutes(at instant: LockInstant) -> Int {
        if timezoneID != .none, let name = timezoneID.name, let zone = TimeZone(identifier: name) {
            let date = Date(timeIntervalSince1970: Double(instant.millisecondsSince1970) / 1000)
            var seconds = zone.secondsFromGMT(for: date)
            if dstMode == .off { seconds -= Int(zone.daylightSavingTimeOffset(for: date)) }
            return seconds / 60
        }
        return fixedOffsetMinutes + (dstMode == .european && Self.isEUSummerTime(instant) ? 60 : 0)
    }

    /// Whether EU summer time is in force at `instant`.
    public static func isEUSummerTime(_ instant: LockInstant) -> Bool {
        let year = Int(instant.utcDateTime.year)
        guard let start = lastSunday(month: 3, year: year), let end = lastSunday(month: 10, year: year) else { return false }
        return instant >= start && instant < end
    }

    /// 01:00 UTC on the last Sunday of `month`.
    static func lastSunday(month: Int, year: Int) -> LockInstant? {
        let lastDay = Int(DateTime.daysIn(month: UInt8(clamping: month), year: UInt16(clamping: year)))
        let days = CivilCalendar.daysSince1970(year: year, month: month, day: lastDay)
        let weekday = CivilCalendar.isoWeekday(daysSince1970: Int64(days))
        let sunday = days - (weekday % 7)
        return LockInstant(millisecondsSince1970: (Int64(sunday) * 86_400 + 3_600) * 1000)
    }
}
