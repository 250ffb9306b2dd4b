import Foundation
import LockCore
import LockWire
import Testing

/// Time control, auto lock, auto unlock, manual key turns, battery and ring light on the injected
/// clock (docs/wire.md §5.3, §5.4, §5.5, §5.9, §5.10).
@Suite struct LockTimerTests {
    typealias F = Fixture
    static func at(_ hour: Int64, _ minute: Int64, _ second: Int64 = 0, plusDays days: Int64 = 0) -> LockInstant {
        // t0 is 09:00:00 UTC on Monday 2026-03-02; local time is UTC.
        F.t0.adding(milliseconds: ((hour - 9) * 3600 + minute * 60 + second + days * 86_400) * 1000)
    }

    static func addEntry(_ m: inout LockMachine, _ weekdays: Weekdays, _ hour: UInt8, _ minute: UInt8, _ action: LockAction) throws {
        _ = try m.handle(.addTimeControlEntry(AddTimeControlEntry(
            schedule: TimeControlSchedule(weekdays: weekdays, time: TimeOfDay(hour: hour, minute: minute), lockAction: action),
            challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
    }

    @Test func timeControlFiresAtTheScheduledMinuteWithTriggerAutomatic() throws {
        var m = try F.machine()
        try Self.addEntry(&m, [], 9, 30, .unlock)
        #expect(F.events(m.advance(to: Self.at(9, 29, 59))) == [.batteryLevelChanged(percent: 99)])  // idle drain only
        #expect(m.lockState == .locked)
        let out = m.advance(to: Self.at(9, 30))
        #expect(F.events(out) == [
            .timeControlFired(entryID: 1, .unlock), .lockActionStarted(.unlock, trigger: .automatic, authID: nil),
            .lockStateChanged(.unlocking, trigger: .automatic), .lockStateChanged(.unlocked, trigger: .automatic),
            .lockActionCompleted(.unlock, trigger: .automatic, authID: nil, status: .success), .ringLightChanged(.unlockedStatus),
        ])
        #expect(F.replies(out).isEmpty)
        #expect(m.lockState == .unlocked && m.lockTrigger == .automatic && m.lastLockActionTrigger == .automatic)
        #expect(m.keyturnerStates(at: Self.at(9, 30)).trigger.rawValue == 0x03)
        let entry = try #require(m.log.entries.last)
        #expect(entry.authID == 0)
        #expect(entry.timestamp == Self.at(9, 30).utcDateTime)
        #expect(entry.event == .lockAction(.init(action: .unlock, trigger: .automatic, flags: 0, completionStatus: .success)))
        // Once per day: nothing more until tomorrow 09:30.
        _ = try F.lockAction(&m, .lock, at: Self.at(9, 31))
        #expect(F.events(m.advance(to: Self.at(9, 29, 59, plusDays: 1))).allSatisfy { if case .timeControlFired = $0 { false } else { true } })
        #expect(F.events(m.advance(to: Self.at(9, 30, 0, plusDays: 1))).first == .timeControlFired(entryID: 1, .unlock))
    }

    @Test func timeControlFollowsWeekdaysAndTheEnabledFlag() throws {
        var m = try F.machine()
        try Self.addEntry(&m, [.tuesday], 8, 0, .unlock)
        try Self.addEntry(&m, [.monday], 10, 0, .lock)
        _ = m.advance(to: Self.at(9, 59))
        _ = try F.lockAction(&m, .unlock, at: Self.at(9, 59))
        let disabled = TimeControlEntry(entryID: 2, enabled: false, schedule: m.timeControlEntries[1].schedule)
        _ = try m.handle(.updateTimeControlEntry(UpdateTimeControlEntry(entry: disabled, challenge: .zero, securityPIN: F.pin)), from: F.app, at: Self.at(9, 59))
        _ = m.advance(to: Self.at(10, 1))
        #expect(m.lockState == .unlocked, "the Monday 10:00 entry is disabled")
        _ = try F.lockAction(&m, .lock, at: Self.at(10, 1))
        // Tuesday 08:00 fires, on the virtual clock a whole day later in one step.
        let out = m.advance(to: Self.at(8, 0, 0, plusDays: 1))
        #expect(F.events(out).contains(.timeControlFired(entryID: 1, .unlock)))
        #expect(m.lockState == .unlocked)
    }

    @Test func timeControlFindingTheMotorBusyIsSkipped() throws {
        var m = try F.machine(motorStep: 1000)
        try Self.addEntry(&m, [], 9, 30, .lock)
        _ = m.advance(to: Self.at(9, 29, 59))
        _ = try F.lockAction(&m, .unlock, at: Self.at(9, 29, 59))
        let out = m.advance(to: Self.at(9, 30))
        #expect(F.events(out).contains(.lockActionSkipped(.lock, trigger: .automatic, status: .busy)))
    }

    @Test func autoLockLocksAfterItsTimeoutWithTriggerAutoLock() throws {
        var m = try F.machine()
        _ = try F.setAdvanced(&m, F.settings(autoLockTimeout: 30, autoLockEnabled: true))
        _ = try F.lockAction(&m, .unlock)
        #expect(m.autoLockAt == F.t0.adding(milliseconds: 30_000))
        _ = m.advance(to: F.t0.adding(milliseconds: 29_999))
        #expect(m.lockState == .unlocked)
        let out = m.advance(to: F.t0.adding(milliseconds: 30_000))
        #expect(F.events(out).contains(.lockActionCompleted(.lock, trigger: .autoLock, authID: nil, status: .success)))
        #expect(m.lockState == .locked && m.lockTrigger == .autoLock && m.lastLockActionTrigger?.rawValue == 0x06)
        #expect(m.autoLockAt == nil)
        #expect(m.log.entries.last?.event == .lockAction(.init(action: .lock, trigger: .autoLock, flags: 0, completionStatus: .success)))
    }

    @Test func autoLockIsOffByDefaultAndCanceledByLocking() throws {
        var m = try F.machine()
        _ = try F.lockAction(&m, .unlock)
        #expect(m.autoLockAt == nil)
        _ = try F.setAdvanced(&m, F.settings(autoLockTimeout: 30, autoLockEnabled: true))
        #expect(m.autoLockAt == F.t0.adding(milliseconds: 30_000), "armed when enabled while unlocked")
        _ = try F.lockAction(&m, .lock, at: F.t0.adding(milliseconds: 10_000))
        #expect(m.autoLockAt == nil)
    }

    @Test func autoUnlockHasACoolDownAfterAnyLockAction() throws {
        var m = try F.machine()
        _ = try F.setAdvanced(&m, F.settings())  // auto unlock on
        _ = try F.lockAction(&m, .lock)
        let before = m
        #expect(F.error { () throws(LockError) in
            try F.lockAction(&m, .unlock, flags: .autoUnlock, at: F.t0.adding(milliseconds: 299_999))
        } == .autoUnlockTooRecent)
        #expect(m == before)
        #expect(F.replies(try F.lockAction(&m, .unlock, flags: .autoUnlock, at: F.t0.adding(milliseconds: 300_000))).last == .status(Status(.complete)))
        #expect(m.lockState == .unlocked)
        #expect(m.log.entries.last?.event == .lockAction(.init(action: .unlock, trigger: .system, flags: 0x01, completionStatus: .success)))
        // A manual turn counts as a lock action too.
        _ = try m.manualTurn(.lock, at: F.t0.adding(milliseconds: 400_000))
        #expect(F.error { () throws(LockError) in
            try F.lockAction(&m, .unlock, flags: .autoUnlock, at: F.t0.adding(milliseconds: 400_001))
        } == .autoUnlockTooRecent)
    }

    /// Nuki Smart Lock FAQ: the owner activates auto unlock in the lock's settings; it is not on by
    /// itself. A new lock refuses it (K_ERROR_REJECTED) and reports "auto unlock disabled" = 1 in
    /// Advanced Config until Set Advanced Config switches it on.
    @Test func autoUnlockIsOffUntilTheOwnerSwitchesItOn() throws {
        let later = F.t0.adding(milliseconds: 600_000)
        var m = try F.machine()
        #expect(m.advancedSettings.autoUnlockDisabled)
        let before = m
        #expect(F.error { () throws(LockError) in try F.lockAction(&m, .unlock, flags: .autoUnlock, at: later) } == .rejected)
        #expect(m.lockState == .locked)
        #expect(m.authorizations == before.authorizations)
        _ = try F.setAdvanced(&m, F.settings(autoUnlockDisabled: false))
        #expect(!m.advancedSettings.autoUnlockDisabled)
        #expect(F.replies(try F.lockAction(&m, .unlock, flags: .autoUnlock, at: later)).last == .status(Status(.complete)))
        #expect(m.lockState == .unlocked)
    }

    @Test func autoUnlockPolicyRefusals() throws {
        let later = F.t0.adding(milliseconds: 600_000)
        var m = try F.machine()
        _ = try F.setAdvanced(&m, F.settings())  // auto unlock on
        #expect(F.error { () throws(LockError) in try F.lockAction(&m, .lock, flags: .autoUnlock, at: later) } == .badParameter)
        _ = try F.setAdvanced(&m, F.settings(autoUnlockDisabled: true))
        #expect(F.error { () throws(LockError) in try F.lockAction(&m, .unlock, flags: .autoUnlock, at: later) } == .rejected)
        #expect(F.replies(try F.lockAction(&m, .unlock, at: later)).last == .status(Status(.complete)), "a plain unlock is unaffected")
        var night = try F.machine()
        _ = try F.setAdvanced(&night, F.settings(nightmode: true, nightmodeAutoUnlockDisabled: true))
        let lateEvening = Self.at(22, 30)
        #expect(F.error { () throws(LockError) in try F.lockAction(&night, .unlock, flags: .autoUnlock, at: lateEvening) } == .rejectedNightmode)
        #expect(F.replies(try F.lockAction(&night, .unlock, flags: .autoUnlock, at: later)).last == .status(Status(.complete)))
    }

    @Test func manualTurnChangesTheStateWithTriggerManualAndIsLogged() throws {
        var m = try F.machine()
        let later = F.t0.adding(milliseconds: 1_000)
        let out = try m.manualTurn(.unlock, at: later)
        #expect(out == [
            .event(.lockStateChanged(.unlocked, trigger: .manual)),
            .event(.lockActionCompleted(.unlock, trigger: .manual, authID: nil, status: .success)),
            .event(.ringLightChanged(.unlockedStatus)),
        ])
        #expect(m.lockState == .unlocked && m.lockTrigger == .manual)
        let states = m.keyturnerStates(at: later)
        #expect(states.trigger == .manual && states.lastLockAction == .unlock && states.lastLockActionTrigger?.rawValue == 0x01)
        let entry = try #require(m.log.entries.last)
        #expect(entry.authID == 0 && entry.timestamp == later.utcDateTime)
        #expect(entry.event == .lockAction(.init(action: .unlock, trigger: .manual, flags: 0, completionStatus: .success)))
        #expect(m.openingsClosings.openingsTotal == 1)
        #expect(try m.manualTurn(.unlock, at: later).isEmpty, "already unlocked: nothing happens")
        #expect(throws: LockError.self) { try m.manualTurn(.fullLock, at: later) }
    }

    @Test func manualTurnCancelsARunningMotorAndStaysInSync() throws {
        var m = try F.machine(motorStep: 1000)
        _ = try F.lockAction(&m, .unlock)
        _ = m.advance(to: F.t0.adding(milliseconds: 1_000))
        #expect(m.lockState == .unlocking)
        let out = try m.manualTurn(.lock, at: F.t0.adding(milliseconds: 1_500))
        #expect(F.replies(out) == [.errorReport(ErrorReport(errorCode: .canceled, commandID: .lockAction))])
        #expect(F.events(out).contains(.lockActionCompleted(.unlock, trigger: .system, authID: F.app, status: .canceled)))
        #expect(!m.isBusy && m.lockState == .locked && m.lockTrigger == .manual)
        #expect(m.advance(to: F.t0.adding(milliseconds: 5_000)).isEmpty, "no stale motor step")
        #expect(m.log.entries.suffix(2).map(\.event) == [
            .lockAction(.init(action: .unlock, trigger: .system, flags: 0, completionStatus: .canceled)),
            .lockAction(.init(action: .lock, trigger: .manual, flags: 0, completionStatus: .success)),
        ])
        // The app can act again at once.
        #expect(F.replies(try F.lockAction(&m, .unlock, at: F.t0.adding(milliseconds: 5_000))).first == .status(Status(.accepted)))
    }

    @Test func batteryDropBelow20PercentIsNotifiedExactlyOnce() throws {
        var m = try F.machine()
        m.batteryPercent = 20
        var events: [LockEvent] = []
        var now = F.t0
        for i in 0..<60 {
            events += F.events(try F.lockAction(&m, i % 2 == 0 ? .unlock : .lock, at: now))
            now = now.adding(milliseconds: 1_000)
        }
        #expect(events.filter { if case .batteryCritical = $0 { true } else { false } } == [.batteryCritical(percent: 19)])
        #expect(events.filter { if case .batteryLevelChanged = $0 { true } else { false } } == [.batteryLevelChanged(percent: 19), .batteryLevelChanged(percent: 18), .batteryLevelChanged(percent: 17)])
        #expect(m.batteryMilliPercent == 20_000 - 60 * 40)
        #expect(m.criticalBatteryState.rawValue == 0x21)  // 17 % → 8 << 2 | critical
        #expect(m.keyturnerStates(at: now).criticalBatteryState.isCritical)
        // New batteries re-arm the notification.
        m.batteryPercent = 100
        m.batteryPercent = 20
        #expect(F.events(try F.lockAction(&m, .lock, at: now)).contains(.batteryCritical(percent: 19)))
    }

    @Test func idleDrainIs0Point2PercentPerDayWhateverTheSlicing() throws {
        var a = try F.machine()
        var b = try F.machine()
        #expect(F.events(a.advance(to: F.t0.adding(milliseconds: 86_400_000))) == [.batteryLevelChanged(percent: 99)])
        var now = F.t0
        for _ in 0..<1_000 {
            now = now.adding(milliseconds: 86_400)
            _ = b.advance(to: now)
        }
        #expect(a.batteryMilliPercent == 99_800)
        #expect(b.batteryMilliPercent == 99_800)
        #expect(a.advance(to: F.t0.adding(milliseconds: 5 * 86_400_000)).isEmpty)  // 99.0 %
        #expect(F.events(a.advance(to: F.t0.adding(milliseconds: 6 * 86_400_000))) == [.batteryLevelChanged(percent: 98)])
    }

    /// Nuki Smart Lock FAQ, battery below 20 %: unlocked, the upper segment blinks three times
    /// every 5 s; locked, twice every 10 s; with a healthy battery the ring never shows them. Our
    /// status light (LED enabled, unlocked, battery fine) is the whole ring once every 10 s.
    @Test func ringLightPatternsAreTheDocumentedOnes() throws {
        #expect(RingLight.batteryLowUnlocked.segment == .upper && RingLight.batteryLowUnlocked.flashes == 3 && RingLight.batteryLowUnlocked.periodMilliseconds == 5_000)
        #expect(RingLight.batteryLowLocked.segment == .upper && RingLight.batteryLowLocked.flashes == 2 && RingLight.batteryLowLocked.periodMilliseconds == 10_000)
        #expect(RingLight.unlockedStatus.segment == .whole && RingLight.unlockedStatus.flashes == 1 && RingLight.unlockedStatus.periodMilliseconds == 10_000)
        #expect(RingLight.off.segment == nil && RingLight.off.flashes == 0 && RingLight.off.periodMilliseconds == 0)
        #expect(RingLight.allCases.filter(\.isBatteryWarning) == [.batteryLowUnlocked, .batteryLowLocked])
        // Every state × battery × LED switch.
        let states: [LockState] = [.uncalibrated, .locked, .unlocking, .unlocked, .locking, .unlatched, .unlockedLockNGo, .unlatching, .motorBlocked, .undefined]
        var table: [String] = []
        for state in states {
            for critical in [false, true] {
                let patterns = [false, true].map { RingLight.pattern(lockState: state, batteryCritical: critical, ledEnabled: $0) }
                table.append("\(state) \(critical ? "low" : "ok"): \(patterns.map(\.rawValue).joined(separator: " / "))")
            }
        }
        #expect(table == [
            "UNCALIBRATED(0x00) ok: off / off", "UNCALIBRATED(0x00) low: off / off",
            "LOCKED(0x01) ok: off / off", "LOCKED(0x01) low: batteryLowLocked / batteryLowLocked",
            "UNLOCKING(0x02) ok: off / off", "UNLOCKING(0x02) low: off / off",
            "UNLOCKED(0x03) ok: off / unlockedStatus", "UNLOCKED(0x03) low: batteryLowUnlocked / batteryLowUnlocked",
            "LOCKING(0x04) ok: off / off", "LOCKING(0x04) low: off / off",
            "UNLATCHED(0x05) ok: off / unlockedStatus", "UNLATCHED(0x05) low: batteryLowUnlocked / batteryLowUnlocked",
            "UNLOCKED_LOCK_N_GO(0x06) ok: off / unlockedStatus", "UNLOCKED_LOCK_N_GO(0x06) low: batteryLowUnlocked / batteryLowUnlocked",
            "UNLATCHING(0x07) ok: off / off", "UNLATCHING(0x07) low: off / off",
            "MOTOR_BLOCKED(0xFE) ok: off / off", "MOTOR_BLOCKED(0xFE) low: off / off",
            "UNDEFINED(0xFF) ok: off / off", "UNDEFINED(0xFF) low: off / off",
        ])
        // On a running lock: the status light while unlocked with a good battery; the battery
        // signal of each state once the battery is under 20 %.
        var m = try F.machine()
        #expect(m.ringLight == .off)
        #expect(F.events(try F.lockAction(&m, .unlock)).last == .ringLightChanged(.unlockedStatus))
        m.batteryPercent = 15
        let locked = F.events(try F.lockAction(&m, .lock))
        #expect(locked.filter { if case .ringLightChanged = $0 { true } else { false } } == [.ringLightChanged(.off), .ringLightChanged(.batteryLowLocked)])
        #expect(m.ringLight == .batteryLowLocked)
        let unlocked = F.events(try F.lockAction(&m, .unlock, at: F.t0.adding(milliseconds: 60_000)))
        #expect(unlocked.filter { if case .ringLightChanged = $0 { true } else { false } } == [.ringLightChanged(.off), .ringLightChanged(.batteryLowUnlocked)])
    }

    /// The pattern is stored by name; files written before these patterns are read too.
    @Test func ringLightIsStoredByNameAndOldFormsAreRead() throws {
        let encoder = JSONEncoder()
        #expect(String(decoding: try encoder.encode(RingLight.batteryLowUnlocked), as: UTF8.self) == "\"batteryLowUnlocked\"")
        for pattern in RingLight.allCases {
            #expect(try JSONDecoder().decode(RingLight.self, from: encoder.encode(pattern)) == pattern)
        }
        let legacy: [(String, RingLight)] = [(#"{"off":{}}"#, .off), (#"{"unlocked":{}}"#, .unlockedStatus), (#"{"batteryCritical":{}}"#, .batteryLowLocked)]
        for (json, pattern) in legacy {
            #expect(try JSONDecoder().decode(RingLight.self, from: Data(json.utf8)) == pattern, "\(json)")
        }
        for bad in [#""blue""#, #"{"unlocked":{},"off":{}}"#, "{}", "3"] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(RingLight.self, from: Data(bad.utf8)) }
        }
    }
}
