import Foundation
import LockCore
import LockHost
import LockWire
import Testing

/// Local time from the tz database and the EU rule, and time windows on the DST switch days.
@Suite struct LocalTimeTests {
    static func utc(_ mo: UInt8, _ d: UInt8, _ h: UInt8, _ mi: UInt8 = 0, _ s: UInt8 = 0) -> LockInstant {
        LockInstant(utc: DateTime(year: 2026, month: mo, day: d, hour: h, minute: mi, second: s)) ?? LockInstant(millisecondsSince1970: 0)
    }

    static let berlin = TimeZoneID(tzName: "Europe/Berlin") ?? .none
    static let tokyo = TimeZoneID(tzName: "Asia/Tokyo") ?? .none
    static let newYork = TimeZoneID(tzName: "America/New_York") ?? .none

    /// 2026: EU summer time starts 29 March 01:00 UTC and ends 25 October 01:00 UTC.
    @Test(arguments: [
        (UInt8(3), UInt8(29), UInt8(0), UInt8(59), UInt8(59), 60), (3, 29, 1, 0, 0, 120),
        (10, 25, 0, 59, 59, 120), (10, 25, 1, 0, 0, 60),
    ])
    func berlinSwitchesOnTheEUDays(month: UInt8, day: UInt8, hour: UInt8, minute: UInt8, second: UInt8, offset: Int) {
        let local = LocalTime(timezoneID: Self.berlin, fixedOffsetMinutes: 0, dstMode: .european, rules: .systemDatabase)
        #expect(local.offsetMinutes(at: Self.utc(month, day, hour, minute, second)) == offset)
    }

    /// The second pass of 02:00–03:00 on 25 October 2026 (01:00–02:00 UTC) ends at wall minute 180
    /// (03:00); the first pass, the hours around it and the spring day have none. The same with a
    /// fixed offset and the EU rule, and New York's own fall-back (1 November, 01:00–02:00 EST).
    @Test func repeatedWallTimesAreFoundOnlyOnTheirSecondPass() {
        let berlin = LocalTime(timezoneID: Self.berlin, fixedOffsetMinutes: 0, dstMode: .european, rules: .systemDatabase)
        #expect(berlin.repeatedWallTimeEnd(at: Self.utc(10, 25, 1, 0, 0)) == 180)
        #expect(berlin.repeatedWallTimeEnd(at: Self.utc(10, 25, 1, 59, 59)) == 180)
        #expect(berlin.repeatedWallTimeEnd(at: Self.utc(10, 25, 0, 30)) == nil)
        #expect(berlin.repeatedWallTimeEnd(at: Self.utc(10, 25, 2, 0, 0)) == nil)
        #expect(berlin.repeatedWallTimeEnd(at: Self.utc(3, 29, 1, 30)) == nil)
        let fixed = LocalTime(timezoneID: .none, fixedOffsetMinutes: 60, dstMode: .european, rules: .systemDatabase)
        #expect(fixed.repeatedWallTimeEnd(at: Self.utc(10, 25, 1, 20)) == 180)
        #expect(LocalTime(timezoneID: .none, fixedOffsetMinutes: 60, dstMode: .off, rules: .systemDatabase).repeatedWallTimeEnd(at: Self.utc(10, 25, 1, 20)) == nil)
        let newYork = LocalTime(timezoneID: Self.newYork, fixedOffsetMinutes: 0, dstMode: .european, rules: .systemDatabase)
        #expect(newYork.repeatedWallTimeEnd(at: Self.utc(11, 1, 6, 30)) == 120)
        #expect(newYork.repeatedWallTimeEnd(at: Self.utc(11, 1, 5, 30)) == nil)
    }

    @Test func tokyoHasNoDSTAndNewYorkFollowsItsOwnRules() {
        let tokyo = LocalTime(timezoneID: Self.tokyo, fixedOffsetMinutes: 0, dstMode: .european, rules: .systemDatabase)
        #expect(tokyo.offsetMinutes(at: Self.utc(1, 15, 12)) == 540)
        #expect(tokyo.offsetMinutes(at: Self.utc(7, 15, 12)) == 540)
        let newYork = LocalTime(timezoneID: Self.newYork, fixedOffsetMinutes: 0, dstMode: .european, rules: .systemDatabase)
        #expect(newYork.offsetMinutes(at: Self.utc(1, 15, 12)) == -300)
        // US summer time 2026 starts 8 March 07:00 UTC, before the EU's.
        #expect(newYork.offsetMinutes(at: Self.utc(3, 8, 7)) == -240)
        #expect(newYork.offsetMinutes(at: Self.utc(3, 8, 6, 59, 59)) == -300)
    }

    /// The core decides from the rules it is handed, not from the host: a hand-made zone for
    /// Berlin's id (+05:45, of which 60 min DST, from 1 July 2026) is what counts, DST mode off
    /// takes the DST part away, and with no rules the fixed offset applies to the same id.
    @Test func theRulesAreAValueTheCoreIsHanded() {
        let made = TimeZoneRules(zones: [Self.berlin: [
            .init(start: .min, offsetSeconds: 3_600, daylightSeconds: 0),
            .init(start: Self.utc(7, 1, 0).millisecondsSince1970, offsetSeconds: 20_700, daylightSeconds: 3_600),
        ]])
        let european = LocalTime(timezoneID: Self.berlin, fixedOffsetMinutes: 30, dstMode: .european, rules: made)
        #expect(european.offsetMinutes(at: Self.utc(6, 30, 23, 59, 59)) == 60)
        #expect(european.offsetMinutes(at: Self.utc(7, 1, 0)) == 345)
        #expect(LocalTime(timezoneID: Self.berlin, fixedOffsetMinutes: 30, dstMode: .off, rules: made).offsetMinutes(at: Self.utc(7, 2, 0)) == 285)
        #expect(LocalTime(timezoneID: Self.berlin, fixedOffsetMinutes: 30, dstMode: .off, rules: .empty).offsetMinutes(at: Self.utc(7, 2, 0)) == 30)
        #expect(made.zones == [Self.berlin])
    }

    /// The rules are the host's, not the lock's state: a machine's JSON has no trace of them and
    /// a decoded machine has none until its runtime sets them.
    @Test func timeZoneRulesAreNotPersisted() throws {
        var machine = LockMachine(model: .smartLock3, nukiID: 1, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: .u16(1))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let plain = try encoder.encode(machine)
        machine.timeZoneRules = TimeZoneRules.systemDatabase
        #expect(try encoder.encode(machine) == plain)
        #expect(try JSONDecoder().decode(LockMachine.self, from: plain).timeZoneRules == .empty)
        #expect(!String(decoding: plain, as: UTF8.self).contains("timeZoneRules"))
        #expect(machine == (try JSONDecoder().decode(LockMachine.self, from: plain)))
        #expect(TimeZoneRules.systemDatabase != .empty)
        #expect(TimeZoneRules.systemDatabase.zones.count == 46)
    }

    @Test func withoutATimezoneIDTheFixedOffsetAndEURuleApply() {
        let european = LocalTime(timezoneID: .none, fixedOffsetMinutes: 60, dstMode: .european, rules: .systemDatabase)
        #expect(european.offsetMinutes(at: Self.utc(3, 29, 0, 59, 59)) == 60)
        #expect(european.offsetMinutes(at: Self.utc(3, 29, 1)) == 120)
        #expect(european.offsetMinutes(at: Self.utc(10, 25, 1)) == 60)
        let fixed = LocalTime(timezoneID: .none, fixedOffsetMinutes: 330, dstMode: .off, rules: .systemDatabase)
        #expect(fixed.offsetMinutes(at: Self.utc(7, 1, 0)) == 330)
        let standardOnly = LocalTime(timezoneID: Self.berlin, fixedOffsetMinutes: 0, dstMode: .off, rules: .systemDatabase)
        #expect(standardOnly.offsetMinutes(at: Self.utc(7, 1, 0)) == 60)
    }

    /// Daily 09:00–12:00 in Berlin around both switch days.
    @Test(arguments: [
        (UInt8(3), UInt8(28), UInt8(7), UInt8(30), false),  // Sat 08:30 CET
        (3, 28, 8, 30, true),  // Sat 09:30 CET
        (3, 29, 7, 30, true),  // Sun 09:30 CEST
        (3, 29, 9, 59, true),  // Sun 11:59 CEST
        (3, 29, 10, 0, false),  // Sun 12:00 CEST
        (10, 24, 9, 59, true),  // Sat 11:59 CEST
        (10, 24, 10, 30, false),  // Sat 12:30 CEST
        (10, 25, 7, 59, false),  // Sun 08:59 CET
        (10, 25, 8, 0, true),  // Sun 09:00 CET
    ])
    func dailyWindowAcrossDSTSwitches(month: UInt8, day: UInt8, hour: UInt8, minute: UInt8, allowed: Bool) {
        var window = TimeRestriction.unrestricted
        window.timeLimited = true
        window.allowedFromTime = TimeOfDay(hour: 9, minute: 0)
        window.allowedUntilTime = TimeOfDay(hour: 12, minute: 0)
        let now = Self.utc(month, day, hour, minute)
        let offset = LocalTime(timezoneID: Self.berlin, fixedOffsetMinutes: 0, dstMode: .european, rules: .systemDatabase).offsetMinutes(at: now)
        #expect((TimeWindow.check(window, now: now, localOffsetMinutes: offset) == nil) == allowed)
    }

    @Test func lockMachineEvaluatesWindowsInItsZone() throws {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var settings = LockSettings(name: FixedName("Door", width: 32))
        settings.timezoneID = Self.tokyo
        let t0 = Self.utc(3, 2, 0)  // Monday 09:00 in Tokyo
        var machine = LockMachine(model: model, nukiID: 1, settings: settings, securityPIN: .u16(1))
        machine.timeZoneRules = .systemDatabase
        try machine.setClock(to: t0.utcDateTime, at: t0)
        var restriction = TimeRestriction.unrestricted
        restriction.timeLimited = true
        restriction.allowedWeekdays = [.monday]
        restriction.allowedFromTime = TimeOfDay(hour: 9, minute: 0)
        restriction.allowedUntilTime = TimeOfDay(hour: 12, minute: 0)
        machine.restoreAuthorization(Authorization(authID: 1, idType: .app, clientID: 1, name: FixedName("a", width: 32), dateCreated: .unset, restriction: restriction))
        let unlock = NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: .zero))
        #expect(throws: LockError.self) { try machine.handle(unlock, from: 1, at: t0.adding(milliseconds: -1000)) }
        #expect(try machine.handle(unlock, from: 1, at: t0).count > 1)
    }
}
