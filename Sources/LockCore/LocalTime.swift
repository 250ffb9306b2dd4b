import LockWire

/// The lock's local time: how many minutes it is ahead of UTC at an instant.
///
/// With a timezone id of Config (`docs/wire.md` §5.8) that ``rules`` know, those rules decide, DST
/// included; DST mode off then keeps the zone's standard offset all year (the rules come from the
/// host's tz database through the runtime: the lock core reads no files). Without a timezone id
/// (0xFFFF) the configured fixed offset applies, plus one hour during EU summer time when DST mode
/// is European (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC, Directive
/// 2000/84/EC). Daily windows of authorizations and keypad codes are evaluated in this local time.
public struct LocalTime: Hashable, Sendable {
    public var timezoneID: TimeZoneID
    public var fixedOffsetMinutes: Int
    public var dstMode: DSTMode
    /// The zones' rules (``TimeZoneRules``); a zone they do not know uses the fixed offset.
    public var rules: TimeZoneRules

    public init(timezoneID: TimeZoneID, fixedOffsetMinutes: Int, dstMode: DSTMode, rules: TimeZoneRules) {
        self.timezoneID = timezoneID
        self.fixedOffsetMinutes = fixedOffsetMinutes
        self.dstMode = dstMode
        self.rules = rules
    }

    /// Local time minus UTC, in minutes, at `instant`.
    public func offsetMinutes(at instant: LockInstant) -> Int {
        if timezoneID != .none, let period = rules.period(of: timezoneID, at: instant) {
            var seconds = Int(period.offsetSeconds)
            if dstMode == .off { seconds -= Int(period.daylightSeconds) }
            return seconds / 60
        }
        return fixedOffsetMinutes + (dstMode == .european && Self.isEUSummerTime(instant) ? 60 : 0)
    }

    /// When the clocks went back less than the drop ago (EU: 03:00 summer time → 02:00 winter time),
    /// the wall times of the drop show a second time; on that second pass this is the minute of
    /// the day at which the repeated wall times end (EU: 180, i.e. 03:00), else nil. Used so that a
    /// daily window is not granted twice (`docs/attacks.md` AU-08): on the second pass every wall
    /// time before that minute has already happened.
    public func repeatedWallTimeEnd(at instant: LockInstant) -> Int? {
        let current = offsetMinutes(at: instant)
        let earlier = offsetMinutes(at: instant.adding(milliseconds: -3 * 3_600_000))
        let drop = earlier - current
        guard drop > 0, drop <= 180 else { return nil }
        // The wall time now was already shown `drop` minutes ago: the second pass.
        guard offsetMinutes(at: instant.adding(milliseconds: -Int64(drop) * 60_000)) == earlier else { return nil }
        // The transition: the last minute still on the earlier offset, found by bisection.
        var before = instant.adding(milliseconds: -Int64(drop) * 60_000)  // on the earlier offset
        var after = instant  // on the current offset
        while after.milliseconds(since: before) > 1_000 {
            let middle = before.adding(milliseconds: after.milliseconds(since: before) / 2)
            if offsetMinutes(at: middle) == earlier { before = middle } else { after = middle }
        }
        // The transition instant read on the earlier offset's clock.
        let wall = after.adding(milliseconds: Int64(earlier) * 60_000).millisecondsSince1970
        let minuteOfDay = Int(wall.dividedFlooring(by: 86_400_000).remainder / 60_000)
        return minuteOfDay == 0 ? nil : minuteOfDay
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
