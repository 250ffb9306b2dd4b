import LockCore
import LockWire
import Testing

/// Lock time and time windows (docs/wire.md §6, §13): dates in UTC, daily windows in local time.
@Suite struct TimeTests {
    static func utc(_ y: UInt16, _ mo: UInt8, _ d: UInt8, _ h: UInt8 = 0, _ mi: UInt8 = 0, _ s: UInt8 = 0) -> LockInstant {
        LockInstant(utc: DateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s)) ?? LockInstant(millisecondsSince1970: 0)
    }

    @Test func instantsConvertToAndFromUTC() {
        // 2016-03-07T08:15:30Z (the v2.1 example's state) is 1457338530 s after the epoch.
        let example = Self.utc(2016, 3, 7, 8, 15, 30)
        #expect(example.millisecondsSince1970 == 1_457_338_530_000)
        #expect(example.utcDateTime == DateTime(year: 2016, month: 3, day: 7, hour: 8, minute: 15, second: 30))
        #expect(LockInstant(millisecondsSince1970: -1).utcDateTime == DateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        #expect(Self.utc(2024, 2, 29, 12).utcDateTime.day == 29)
        #expect(Self.utc(2000, 3, 1).millisecondsSince1970 == 951_868_800_000)
        #expect(LockInstant(utc: .unset) == nil)
    }

    static let window = TimeRestriction(
        timeLimited: true, allowedFrom: DateTime(year: 2026, month: 3, day: 2, hour: 9, minute: 0, second: 0),
        allowedUntil: DateTime(year: 2026, month: 3, day: 30, hour: 12, minute: 0, second: 0),
        allowedWeekdays: [], allowedFromTime: .midnight, allowedUntilTime: .midnight)

    @Test(arguments: [
        (Int64(-1000), false), (0, true), (1000, true),
    ])
    func allowedFromEdge(offset: Int64, allowed: Bool) {
        let now = Self.utc(2026, 3, 2, 9).adding(milliseconds: offset)
        #expect((TimeWindow.check(Self.window, now: now, localOffsetMinutes: 0) == nil) == allowed)
    }

    @Test(arguments: [
        (Int64(-1000), true), (0, true), (999, true), (1000, false),
    ])
    func allowedUntilEdge(offset: Int64, allowed: Bool) {
        let now = Self.utc(2026, 3, 30, 12).adding(milliseconds: offset)
        #expect((TimeWindow.check(Self.window, now: now, localOffsetMinutes: 0) == nil) == allowed)
    }

    @Test func unsetClockFailsClosedForTimeLimitedRights() {
        #expect(TimeWindow.check(Self.window, now: nil, localOffsetMinutes: 0)?.code == .timeNotAllowed)
        #expect(TimeWindow.check(.unrestricted, now: nil, localOffsetMinutes: 0) == nil)
    }

    /// Mondays 09:00–12:00 local (UTC+1): every weekday of one week at 10:00 local.
    @Test(arguments: 0..<7)
    func weekdayMask(dayOffset: Int) {
        var monday = TimeRestriction.unrestricted
        monday.timeLimited = true
        monday.allowedWeekdays = [.monday]
        monday.allowedFromTime = TimeOfDay(hour: 9, minute: 0)
        monday.allowedUntilTime = TimeOfDay(hour: 12, minute: 0)
        // 2026-03-02 is a Monday; 10:00 local at UTC+1 is 09:00Z.
        let now = Self.utc(2026, 3, 2, 9).adding(milliseconds: Int64(dayOffset) * 86_400_000)
        #expect((TimeWindow.check(monday, now: now, localOffsetMinutes: 60) == nil) == (dayOffset == 0))
    }

    @Test(arguments: [
        (UInt8(8), UInt8(59), false), (9, 0, true), (11, 59, true), (12, 0, false),
    ])
    func dailyWindowIsHalfOpen(hour: UInt8, minute: UInt8, allowed: Bool) {
        var r = TimeRestriction.unrestricted
        r.timeLimited = true
        r.allowedFromTime = TimeOfDay(hour: 9, minute: 0)
        r.allowedUntilTime = TimeOfDay(hour: 12, minute: 0)
        #expect((TimeWindow.check(r, now: Self.utc(2026, 3, 4, hour, minute), localOffsetMinutes: 0) == nil) == allowed)
    }

    /// 22:00–06:00 on Fridays: Friday 23:00 and Saturday 05:00 are in, Saturday 23:00 is not.
    @Test func windowAcrossMidnightBelongsToTheDayItStarts() {
        var r = TimeRestriction.unrestricted
        r.timeLimited = true
        r.allowedWeekdays = [.friday]
        r.allowedFromTime = TimeOfDay(hour: 22, minute: 0)
        r.allowedUntilTime = TimeOfDay(hour: 6, minute: 0)
        #expect(TimeWindow.check(r, now: Self.utc(2026, 3, 6, 23), localOffsetMinutes: 0) == nil)
        #expect(TimeWindow.check(r, now: Self.utc(2026, 3, 7, 5, 59), localOffsetMinutes: 0) == nil)
        #expect(TimeWindow.check(r, now: Self.utc(2026, 3, 7, 6), localOffsetMinutes: 0) != nil)
        #expect(TimeWindow.check(r, now: Self.utc(2026, 3, 7, 23), localOffsetMinutes: 0) != nil)
        #expect(TimeWindow.check(r, now: Self.utc(2026, 3, 6, 21, 59), localOffsetMinutes: 0) != nil)
    }
}
