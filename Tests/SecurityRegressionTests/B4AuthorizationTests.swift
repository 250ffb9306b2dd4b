import Foundation
import LockCore
import LockCrypto
import LockHost
import LockSession
import LockWire
import Testing

/// docs/attacks.md §B4: authorization (access matrix, revocation, time windows, clock).
@Suite struct B4AuthorizationTests {
    /// A lock with an app (admin), a bridge, a fob and a keypad, paired for real.
    static func bench(seed: UInt64 = 1, configure: (inout LockMachine) -> Void = { _ in }) throws -> Bench {
        var bench = try Bench(seed: seed, configure: configure)
        try bench.pair("app", .app)
        try bench.pair("bridge", .bridge)
        try bench.pair("fob", .fob)
        try bench.pair("keypad", .keypad)
        return bench
    }

    static let names: [IDType: String] = [.app: "app", .bridge: "bridge", .fob: "fob", .keypad: "keypad"]

    /// Every row of the table is decided for every documented command.
    @Test func test_AU01_everyDocumentedCommandHasAnAccessRow() {
        let documented = Set(Command.documented.map(\.code))
        #expect(Set(CommandAccess.rows.keys) == documented)
        // Every client command has a sample here, so the matrix below covers it.
        for (command, rule) in CommandAccess.rows where rule != .notAClientCommand {
            #expect(Samples.message(command, challenge: .zero) != nil, "no sample for \(command): add one so AU-01 covers it")
        }
    }

    /// CVE-2022-32507 class, generated from `CommandAccess.rows`: every command a fob or a keypad may
    /// not send is refused with K_ERROR_NOT_AUTHORIZED, with the correct security PIN, and changes
    /// nothing; the connection stays usable.
    @Test(arguments: [IDType.fob, .keypad])
    func test_AU01_adminCommandsRefusedToNonAdmins(idType: IDType) throws {
        var bench = try Self.bench()
        let name = try #require(Self.names[idType])
        let refused = CommandAccess.rows.filter { $0.value != .notAClientCommand && !CommandAccess.allows($0.key, from: idType) }
            .map(\.key).sorted { $0.rawValue < $1.rawValue }
        #expect(refused.count == 25)  // 24 admin-only commands + the other peripheral's action
        let before = try bench.snapshot()
        for command in refused {
            let outcome = bench.request(name, .with(command) { Samples.message(command, challenge: $0) ?? .requestConfig(RequestConfig(challenge: $0)) })
            #expect(outcome.errorCode == .notAuthorized, "\(command) from \(idType)")
            #expect(!Bench.movedTheLock(outcome.actions), "\(command) from \(idType)")
        }
        // A fob may only send the fob actions 0x81–0x83 of Lock Action.
        if idType == .fob {
            for action in [LockAction.unlock, .lock, .unlatch, .lockNGo, .lockNGoWithUnlatch, .fullLock] {
                #expect(bench.request(name, .lockAction(action, appID: 3)).errorCode == .notAuthorized, "\(action)")
            }
        }
        #expect(try bench.snapshot() == before)
        bench.expectUsable(name)
    }

    /// The app and bridge rows: apps and bridges are the admins, and an admin command is gated by
    /// the security PIN. Every admin-only command that carries a PIN, sent with a wrong one, is
    /// K_ERROR_BAD_PIN and changes nothing but the PIN failure count.
    @Test(arguments: [IDType.app, .bridge])
    func test_AU01_adminCommandsNeedTheSecurityPINFromAppsAndBridges(idType: IDType) throws {
        let name = try #require(Self.names[idType])
        let gated = CommandAccess.rows.filter { $0.value == .adminOnly }.map(\.key).sorted { $0.rawValue < $1.rawValue }
            .filter { Samples.message($0, challenge: .zero, pin: Bench.wrongPIN)?.securityPIN != nil }
        #expect(gated.count == 21)
        for command in gated {
            var bench = try Self.bench()
            let before = try bench.snapshot()
            let outcome = bench.request(name, .with(command) { Samples.message(command, challenge: $0, pin: Bench.wrongPIN) ?? .requestConfig(RequestConfig(challenge: $0)) })
            #expect(outcome.errorCode == .badPIN, "\(command) from \(idType)")
            var after = bench.machine
            #expect(after.pinGuard.consecutiveFailures == 1)
            after = before.machine  // everything else equal:
            #expect(bench.machine.authorizations == after.authorizations && bench.machine.keypadCodes == after.keypadCodes
                    && bench.machine.settings == after.settings && bench.machine.securityPIN == after.securityPIN
                    && bench.machine.clockOffsetMilliseconds == after.clockOffsetMilliseconds && bench.machine.lockState == after.lockState
                    && bench.machine.timeControlEntries == after.timeControlEntries && bench.machine.log == after.log, "\(command)")
            bench.expectUsable(name)
        }
    }

    @Test func test_AU02_revokedAuthorizationIsRefusedAndItsSessionDropped() throws {
        var bench = try Self.bench()
        let fobAuth = try bench.authID("fob")
        let fobConnection = try bench.connection("fob")
        // The fob has a challenge in flight when the admin revokes it.
        let inFlight = try bench.challenge("fob")
        let pending = try bench.sealed("fob", .lockAction(LockActionRequest(action: .fobAction1, appID: 3, challenge: inFlight)))
        let revoke = bench.request("app", .removeAuthorization(fobAuth))
        #expect(revoke.succeeded)
        #expect(revoke.actions.contains { if case .disconnect(fobConnection, _) = $0 { return true } else { return false } })
        #expect(!bench.engine.hasKey(for: fobAuth))
        let before = try bench.snapshot()
        for connection in [fobConnection, bench.newConnection()] {
            let replies = bench.raw(pending, connection: connection)
            #expect(Bench.plainErrors(replies) == [.notAuthorized])
            #expect(!Bench.movedTheLock(replies))
        }
        #expect(try bench.snapshot() == before)
        bench.expectUsable("app")
        // The entry itself is gone: the admin's Request Authorization Entries (0x0009) lists the app,
        // the bridge and the keypad (auth ids 1, 2, 4), not the fob (3), and the saved state loads
        // (an entry kept without its key would be a state file the lock cannot boot from).
        let users = bench.request("app", .with(.requestAuthorizationEntries) {
            .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 0xFFFF, challenge: $0, securityPIN: Bench.pin))
        })
        let listed = Bench.encrypted(users.actions, key: try bench.key("app")).compactMap { if case .authorizationEntry(let e) = $0 { e.authID } else { nil } }
        #expect(fobAuth == 3 && listed == [1, 2, 4])
        #expect(try LockStateFile.decode(bench.snapshot().stateFile, random: SeededRandomSource(seed: 5)).machine.authorization(fobAuth) == nil)
    }

    @Test func test_AU03_disabledEntryIsDisabled() throws {
        var bench = try Self.bench()
        #expect(bench.request("app", .updateAuthorization(try bench.authID("fob"), enabled: false)).succeeded)
        let before = try bench.snapshot()
        #expect(bench.request("fob", .lockAction(.fobAction1, appID: 3)).errorCode == .disabled)
        #expect(try bench.snapshot() == before)
        #expect(bench.machine.lockState == .locked)
    }

    /// A disabled authorization of every ID type: Request Data(Keyturner States) and the type's own
    /// action (app and bridge Lock Action, fob press, keypad code) are refused with K_ERROR_DISABLED
    /// (0x25) exactly, the lock does not move and nothing changes. Enabled again by the admin, the
    /// same requests work. (A bridge is disabled with remote access allowed, so only the disabled
    /// flag can refuse it.)
    @Test(arguments: [IDType.app, .bridge, .fob, .keypad])
    func test_AU03_disabledAuthorizationIsRefusedForEveryIDTypeUntilEnabledAgain(idType: IDType) throws {
        var bench = try Self.bench()
        var name = try #require(Self.names[idType])
        if idType == .app {
            name = "app2"
            try bench.pair(name, .app, clientID: 20)
        }
        if idType == .keypad { #expect(bench.request("app", .addKeypadCode(456_789)).messages.last.map(\.command) == .keypadCodeID) }
        let target = try bench.authID(name)
        let action: ClientRequest = switch idType {
        case .fob: .lockAction(.fobAction1, appID: 3)
        case .keypad: .keypadAction(source: .code, code: 456_789, action: .unlock)
        default: .lockAction(.unlock, appID: 9)
        }
        #expect(bench.request("app", .updateAuthorization(target, enabled: false, remoteAllowed: idType == .bridge)).succeeded)
        let before = try bench.snapshot()
        #expect(bench.request(name, .keyturnerStates).errorCode == .disabled)
        let refused = bench.request(name, action)
        #expect(refused.errorCode == .disabled)
        #expect(!Bench.movedTheLock(refused.actions))
        #expect(try bench.snapshot() == before)
        #expect(bench.request("app", .updateAuthorization(target, enabled: true, remoteAllowed: idType == .bridge)).succeeded)
        #expect(bench.request(name, .keyturnerStates).succeeded)
        #expect(bench.request(name, action).succeeded)
        #expect(bench.machine.lockState == .unlocked)
    }

    /// allowedFrom / allowedUntil: −1 s refused, exactly at from accepted, exactly at until accepted
    /// (documented: inclusive at both ends, second precision), +1 s refused with 0x27.
    @Test func test_AU04_dateBoundsAreInclusiveToTheSecond() throws {
        var bench = try Self.bench()
        let from = Bench.start.adding(milliseconds: 3_600_000)
        let until = from.adding(milliseconds: 86_400_000)
        #expect(bench.request("app", .updateAuthorization(try bench.authID("fob"), restriction: .window(from: from.utcDateTime, until: until.utcDateTime))).succeeded)
        let cases: [(LockInstant, NukiErrorCode?)] = [
            (from.adding(milliseconds: -1_000), .timeNotAllowed), (from.adding(milliseconds: -1), .timeNotAllowed), (from, nil),
            (until, nil), (until.adding(milliseconds: 999), nil), (until.adding(milliseconds: 1_000), .timeNotAllowed),
        ]
        for (instant, expected) in cases {
            bench.advance(to: instant)
            if bench.machine.lockState != .locked { _ = try bench.link.engine.manualTurn(.lock, at: bench.now) }
            let before = try bench.snapshot()
            let outcome = bench.request("fob", .lockAction(.fobAction1, appID: 3))
            #expect(outcome.errorCode == expected, "at \(instant)")
            if expected != nil { #expect(try bench.snapshot() == before, "at \(instant)") }
        }
    }

    /// Weekday mask bit order (Mon 0x40 … Sun 0x01) × inside/outside a 09:00–17:00 window; mask 0
    /// means every day (documented in `Weekdays.allows`).
    @Test func test_AU05_weekdayMaskAndDailyWindow() throws {
        var bench = try Self.bench { $0.settings.dstMode = .off }
        let fob = try bench.authID("fob")
        let masks: [Weekdays] = [.monday, .tuesday, .wednesday, .thursday, .friday, .saturday, .sunday]
        for (index, mask) in masks.enumerated() {
            #expect(bench.request("app", .updateAuthorization(fob, restriction: .window(weekdays: mask, fromTime: TimeOfDay(hour: 9, minute: 0), untilTime: TimeOfDay(hour: 17, minute: 0)))).succeeded)
            for day in 0..<7 {  // Bench.start is Monday 09:00 UTC; the lock runs on UTC (timezone none, offset 0, DST off)
                let dayStart = Bench.start.adding(milliseconds: Int64(7 * 86_400_000 * (index + 1)) + Int64(day) * 86_400_000 - 9 * 3_600_000)
                for (minute, inside) in [(8 * 60 + 59, false), (9 * 60, true), (16 * 60 + 59, true), (17 * 60, false)] {
                    bench.advance(to: dayStart.adding(milliseconds: Int64(minute) * 60_000))
                    if bench.machine.lockState != .locked { _ = try bench.link.engine.manualTurn(.lock, at: bench.now) }
                    let outcome = bench.request("fob", .lockAction(.fobAction1, appID: 3))
                    #expect(outcome.errorCode == (inside && day == index ? nil : .timeNotAllowed), "mask \(mask) day \(day) minute \(minute)")
                }
            }
        }
        #expect(bench.request("app", .updateAuthorization(fob, restriction: .window(weekdays: [], fromTime: TimeOfDay(hour: 9, minute: 0), untilTime: TimeOfDay(hour: 17, minute: 0)))).succeeded)
        for day in 0..<7 {
            bench.advance(to: Bench.start.adding(milliseconds: Int64(70 + day) * 86_400_000 + 3_600_000))
            if bench.machine.lockState != .locked { _ = try bench.link.engine.manualTurn(.lock, at: bench.now) }
            #expect(bench.request("fob", .lockAction(.fobAction1, appID: 3)).errorCode == nil, "mask 0 on day \(day)")
        }
    }

    /// 22:00–06:00 wraps midnight and counts for the weekday it starts on (Monday here).
    @Test func test_AU06_windowAcrossMidnightWrapsCorrectly() throws {
        var bench = try Self.bench()
        #expect(bench.request("app", .updateAuthorization(try bench.authID("fob"), restriction: .window(weekdays: .monday, fromTime: TimeOfDay(hour: 22, minute: 0), untilTime: TimeOfDay(hour: 6, minute: 0)))).succeeded)
        let monday = Bench.start.adding(milliseconds: 7 * 86_400_000 - 9 * 3_600_000)  // next Monday 00:00 UTC
        let cases: [(Int64, NukiErrorCode?)] = [
            (21 * 60 + 59, .timeNotAllowed), (22 * 60, nil), (23 * 60 + 59, nil), (24 * 60 + 5 * 60 + 59, nil), (24 * 60 + 6 * 60, .timeNotAllowed),
            (12 * 60, .timeNotAllowed), (5 * 60, .timeNotAllowed),  // Monday 05:00 belongs to Sunday's window
            (48 * 60 + 23 * 60, .timeNotAllowed),  // Tuesday 23:00
        ]
        for (minute, expected) in cases.sorted(by: { $0.0 < $1.0 }) {
            bench.advance(to: monday.adding(milliseconds: minute * 60_000))
            if bench.machine.lockState != .locked { _ = try bench.link.engine.manualTurn(.lock, at: bench.now) }
            #expect(bench.request("fob", .lockAction(.fobAction1, appID: 3)).errorCode == expected, "minute \(minute)")
        }
    }

    /// One UTC instant, four timezones: the 09:00–10:00 local window is checked in the configured
    /// local time. 2026-07-01T13:30Z is 15:30 Berlin, 09:30 New York, 06:30 Phoenix, 13:30 UTC (None).
    @Test(arguments: [(UInt16(37), false), (12, true), (13, false), (0xFFFF, false)])
    func test_AU07_windowsAreCheckedInTheLocksLocalTime(zone: UInt16, allowed: Bool) throws {
        var bench = try Self.bench()
        #expect(bench.request("app", .setConfig(timezoneID: TimeZoneID(rawValue: zone))).succeeded)
        #expect(bench.request("app", .updateAuthorization(try bench.authID("fob"), restriction: .window(fromTime: TimeOfDay(hour: 9, minute: 0), untilTime: TimeOfDay(hour: 10, minute: 0)))).succeeded)
        let instant = try #require(LockInstant(utc: DateTime(year: 2026, month: 7, day: 1, hour: 13, minute: 30, second: 0)))
        bench.advance(to: instant)
        for _ in 0..<2 {  // deterministic: same answer twice
            if bench.machine.lockState != .locked { _ = try bench.link.engine.manualTurn(.lock, at: bench.now) }
            #expect(bench.request("fob", .lockAction(.fobAction1, appID: 3)).errorCode == (allowed ? nil : .timeNotAllowed), "zone \(zone)")
        }
    }

    /// Minutes of access a daily window grants on one local day, checked minute by minute in UTC.
    static func grantedMinutes(zone: TimeZoneID, from: TimeOfDay, until: TimeOfDay, utcStart: LockInstant, hours: Int) throws -> Int {
        var bench = try Self.bench()
        #expect(bench.request("app", .setConfig(timezoneID: zone)).succeeded)
        #expect(bench.request("app", .updateAuthorization(try bench.authID("fob"), restriction: .window(fromTime: from, untilTime: until))).succeeded)
        var granted = 0
        for minute in 0..<(hours * 60) {
            bench.advance(to: utcStart.adding(milliseconds: Int64(minute) * 60_000))
            if bench.machine.lockState != .locked { _ = try bench.link.engine.manualTurn(.lock, at: bench.now) }
            if bench.request("fob", .lockAction(.fobAction1, appID: 3)).errorCode == nil { granted += 1 }
        }
        return granted
    }

    /// EU spring-forward (2026-03-29, 02:00 CET → 03:00 CEST at 01:00 UTC): a 02:30–04:00 window
    /// grants only 03:00–04:00 (60 real minutes), nothing in the hour that does not exist.
    @Test func test_AU08_springForwardGrantsNothingInTheMissingHour() throws {
        let start = try #require(LockInstant(utc: DateTime(year: 2026, month: 3, day: 28, hour: 22, minute: 0, second: 0)))
        let granted = try Self.grantedMinutes(zone: TimeZoneID(rawValue: 37), from: TimeOfDay(hour: 2, minute: 30), until: TimeOfDay(hour: 4, minute: 0), utcStart: start, hours: 6)
        #expect(granted == 60)
    }

    /// EU fall-back (2026-10-25, 03:00 CEST → 02:00 CET at 01:00 UTC): a 01:00–02:30 window must
    /// not grant the repeated 02:00–02:30 a second time (90 real minutes, not 120).
    @Test func test_AU08_fallBackGrantsNoExtraTimeInTheRepeatedHour() throws {
        let start = try #require(LockInstant(utc: DateTime(year: 2026, month: 10, day: 24, hour: 22, minute: 0, second: 0)))
        let granted = try Self.grantedMinutes(zone: TimeZoneID(rawValue: 37), from: TimeOfDay(hour: 1, minute: 0), until: TimeOfDay(hour: 2, minute: 30), utcStart: start, hours: 6)
        // Once failed: TimeWindow checked wall-clock minutes only, so the repeated 02:00–02:30 was
        // granted twice (120 minutes). Fixed with LocalTime.repeatedWallTimeEnd.
        #expect(granted == 90)
        // A window that opens inside the repeated hour stays open through its second pass:
        // 02:30 CEST (00:30 UTC) to 05:00 CET (04:00 UTC) is 210 real minutes.
        let opening = try Self.grantedMinutes(zone: TimeZoneID(rawValue: 37), from: TimeOfDay(hour: 2, minute: 30), until: TimeOfDay(hour: 5, minute: 0), utcStart: start, hours: 7)
        #expect(opening == 210)
    }

    @Test func test_AU09_clockUnsetFailsClosedAndOnlyAdminsWithPINSetIt() throws {
        var bench = try Bench(clockSet: false)
        try bench.pair("app", .app)
        try bench.pair("fob", .fob)
        #expect(bench.request("app", .updateAuthorization(try bench.authID("fob"), restriction: .window(fromTime: TimeOfDay(hour: 0, minute: 0), untilTime: TimeOfDay(hour: 23, minute: 59)))).succeeded)
        #expect(bench.machine.lockTime(at: bench.now) == nil)
        let before = try bench.snapshot()
        #expect(bench.request("fob", .lockAction(.fobAction1, appID: 2)).errorCode == .timeNotAllowed)
        // A non-admin cannot set (or roll back) the clock; an admin needs the PIN.
        #expect(bench.request("fob", .updateTime(Bench.start.utcDateTime)).errorCode == .notAuthorized)
        #expect(bench.request("app", .updateTime(Bench.start.utcDateTime, pin: Bench.wrongPIN)).errorCode == .badPIN)
        #expect(bench.machine.clockOffsetMilliseconds == before.machine.clockOffsetMilliseconds)
        let set = bench.request("app", .updateTime(Bench.start.utcDateTime))
        #expect(set.succeeded)
        #expect(set.events.contains(.clockSet(Bench.start.utcDateTime)), "setting the clock is recorded in the event stream")
        #expect(bench.request("fob", .lockAction(.fobAction1, appID: 2)).errorCode == nil)
    }

    @Test func test_AU10_bridgeWithoutRemoteAccessIsRemoteNotAllowed() throws {
        var bench = try Self.bench()
        #expect(bench.request("app", .updateAuthorization(try bench.authID("bridge"), remoteAllowed: false)).succeeded)
        let before = try bench.snapshot()
        #expect(bench.request("bridge", .lockAction(.unlock, appID: 2)).errorCode == .remoteNotAllowed)
        #expect(bench.request("bridge", .config).errorCode == .remoteNotAllowed)
        #expect(try bench.snapshot() == before)
        bench.expectUsable("bridge")  // Request Data stays allowed
    }

    @Test(arguments: [IDType.fob, .keypad])
    func test_AU11_peripheralsCannotUseAppOnlyActions(idType: IDType) throws {
        var bench = try Self.bench()
        let name = try #require(Self.names[idType])
        let before = try bench.snapshot()
        for request in [ClientRequest.config, .requestLogEntries(), .setConfig(), .with(.requestAdvancedConfig) { .requestAdvancedConfig(RequestAdvancedConfig(challenge: $0)) }] {
            #expect(bench.request(name, request).errorCode == .notAuthorized, "\(request.command) from \(idType)")
        }
        #expect(try bench.snapshot() == before)
        bench.expectUsable(name)
    }
}
