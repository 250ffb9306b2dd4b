import LockCore
import LockWire
import Testing

/// Fixtures shared by the command and timer tests: a Smart Lock 3.0 with an instant motor, the
/// clock set to Monday 2026-03-02 09:00:00 UTC (local = UTC: no tz id, winter), an app (1), a fob (2),
/// a bridge without remote access (3).
enum Fixture {
    static let t0 = LockInstant(secondsSince1970: 1_772_442_000)
    static let app: UInt32 = 1
    static let fob: UInt32 = 2
    static let bridge: UInt32 = 3
    static let pin = SecurityPIN.u16(4321)
    static let key = Bytes32([UInt8](repeating: 0xA5, count: 32)) ?? .zero

    static func machine(motorStep: Int64 = 0) throws -> LockMachine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = motorStep
        var m = LockMachine(model: model, nukiID: 1, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: pin)
        try m.setClock(to: t0.utcDateTime, at: t0)
        m.restoreAuthorization(Authorization(authID: app, idType: .app, clientID: 1, name: FixedName("Phone", width: 32), dateCreated: .unset))
        m.restoreAuthorization(Authorization(authID: fob, idType: .fob, clientID: 2, name: FixedName("Fob", width: 32), dateCreated: .unset))
        m.restoreAuthorization(Authorization(authID: bridge, idType: .bridge, clientID: 3, name: FixedName("Bridge", width: 32), dateCreated: .unset))
        _ = m.advance(to: t0)
        return m
    }

    static func error(_ body: () throws(LockError) -> [LockOutput]) -> NukiErrorCode? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    static func replies(_ outputs: [LockOutput]) -> [NukiMessage] {
        outputs.compactMap { if case .reply(_, let m) = $0 { return m } else { return nil } }
    }

    static func events(_ outputs: [LockOutput]) -> [LockEvent] {
        outputs.compactMap { if case .event(let e) = $0 { return e } else { return nil } }
    }

    static func settings(
        lockNGoTimeout: UInt8 = 20, unlatchDuration: UInt8 = 3, autoLockTimeout: UInt16 = 300, autoUnlockDisabled: Bool = false,
        nightmode: Bool = false, nightmodeAutoUnlockDisabled: Bool = false, offset: Int16 = 0, autoLockEnabled: Bool? = false,
        immediate: UInt8? = 0, autoUpdate: Bool? = true, motorSpeed: UInt8? = nil
    ) -> AdvancedConfigSettings {
        AdvancedConfigSettings(
            unlockedPositionOffsetDegrees: offset, lockedPositionOffsetDegrees: 0, singleLockedPositionOffsetDegrees: 0,
            unlockedToLockedTransitionOffsetDegrees: 0, lockNGoTimeout: lockNGoTimeout, singleButtonPressAction: .intelligent,
            doubleButtonPressAction: .lockNGo, detachedCylinder: false, batteryType: .alkali, automaticBatteryTypeDetection: true,
            unlatchDuration: unlatchDuration, autoLockTimeout: autoLockTimeout, autoUnlockDisabled: autoUnlockDisabled,
            nightmodeEnabled: nightmode, nightmodeStartTime: TimeOfDay(hour: 22, minute: 0), nightmodeEndTime: TimeOfDay(hour: 6, minute: 0),
            nightmodeAutoLockEnabled: false, nightmodeAutoUnlockDisabled: nightmodeAutoUnlockDisabled, nightmodeImmediateLockOnStart: false,
            autoLockEnabled: autoLockEnabled, immediateAutoLockEnabled: immediate, autoUpdateEnabled: autoUpdate, motorSpeed: motorSpeed)
    }

    static func setAdvanced(_ m: inout LockMachine, _ s: AdvancedConfigSettings, at now: LockInstant = t0) throws(LockError) -> [LockOutput] {
        try m.handle(.setAdvancedConfig(SetAdvancedConfig(settings: s, challenge: .zero, securityPIN: pin)), from: app, at: now)
    }

    static func setConfig(
        name: FixedName = FixedName("Back door", width: 32), latitude: Float = 48.2, longitude: Float = 16.4, autoUnlatch: Bool = false,
        ledEnabled: Bool = true, offset: Int16 = 60, fob1: FobAction = .intelligent
    ) -> NukiMessage {
        .setConfig(SetConfig(
            name: name, latitude: latitude, longitude: longitude, autoUnlatch: autoUnlatch, pairingEnabled: false, buttonEnabled: true,
            ledEnabled: ledEnabled, ledBrightness: 5, timezoneOffsetMinutes: offset, dstMode: .off, fobAction1: fob1, fobAction2: .lock,
            fobAction3: .lockNGo, singleLock: true, advertisingMode: .slow, timezoneID: .none, challenge: .zero, securityPIN: pin))
    }

    static func lockAction(_ m: inout LockMachine, _ action: LockAction, flags: LockActionFlags = [], from auth: UInt32 = app, at now: LockInstant = t0) throws(LockError) -> [LockOutput] {
        try m.handle(.lockAction(LockActionRequest(action: action, appID: auth, flags: flags, challenge: .zero)), from: auth, at: now)
    }

    static func requestData(_ m: inout LockMachine, _ command: Command, from auth: UInt32 = app) throws(LockError) -> [NukiMessage] {
        replies(try m.handle(.requestData(RequestData(requestedCommand: command)), from: auth, at: t0))
    }
}

/// Every client command's success reply and documented errors, at machine level
/// (docs/wire.md §4, §4.1, §5.8–§5.10, §6).
@Suite struct LockCommandTests {
    typealias F = Fixture
    static let complete = NukiMessage.status(Status(.complete))
    static let accepted = NukiMessage.status(Status(.accepted))

    @Test func setConfigCompletesAndCountsTheUpdate() throws {
        var m = try F.machine()
        let out = try m.handle(F.setConfig(), from: F.app, at: F.t0)
        #expect(out == [.reply(authID: F.app, Self.complete), .event(.configChanged(updateCount: 1))])
        #expect(m.configUpdateCount == 1)
        #expect(m.settings.name == FixedName("Back door", width: 32))
        #expect(m.settings.fobActions == [.intelligent, .lock, .lockNGo])
        #expect(m.settings.timezoneOffsetMinutes == 60)
        #expect(m.keyturnerStates(at: F.t0).configUpdateCount == 1)
        let config = m.config(at: F.t0)
        #expect(config.pairingEnabled == false && config.singleLock && config.advertisingMode == .slow && config.ledBrightness == 5)
    }

    @Test(arguments: [
        Fixture.setConfig(latitude: 90.5), Fixture.setConfig(longitude: -180.5), Fixture.setConfig(offset: 841),
        Fixture.setConfig(offset: -721), Fixture.setConfig(name: FixedName(rawBytes: [0xC3, 0x28] + [UInt8](repeating: 0, count: 30))),
    ])
    func setConfigRefusesValuesOutOfRange(request: NukiMessage) throws {
        var m = try F.machine()
        let before = m
        #expect(F.error { () throws(LockError) in try m.handle(request, from: F.app, at: F.t0) } == .badParameter)
        #expect(m == before)
    }

    @Test func requestAdvancedConfigSendsTheModelsLayout() throws {
        var m = try F.machine()
        let out = try m.handle(.requestAdvancedConfig(RequestAdvancedConfig(challenge: .zero)), from: F.app, at: F.t0)
        // Smart Lock 3 (API 2.2 layout): the three v2.2 bytes, no Ultra bytes; auto unlock off.
        let expected = AdvancedConfig(totalDegrees: 720, settings: F.settings(autoUnlockDisabled: true, motorSpeed: nil))
        #expect(out == [.reply(authID: F.app, .advancedConfig(expected))])
        #expect(expected.encoded().count == 31)
    }

    @Test func setAdvancedConfigCompletesAndKeepsOmittedOptionalFields() throws {
        var m = try F.machine()
        let out = try F.setAdvanced(&m, F.settings(lockNGoTimeout: 30, autoLockTimeout: 120, autoLockEnabled: true, immediate: 1, autoUpdate: false))
        #expect(out == [.reply(authID: F.app, Self.complete), .event(.advancedConfigChanged(updateCount: 1))])
        // The v2.1 form (no optional bytes) leaves the v2.2 fields as they were.
        _ = try F.setAdvanced(&m, F.settings(lockNGoTimeout: 45, autoLockTimeout: 120, autoLockEnabled: nil, immediate: nil, autoUpdate: nil))
        let reply = try m.handle(.requestAdvancedConfig(RequestAdvancedConfig(challenge: .zero)), from: F.app, at: F.t0)
        #expect(reply == [.reply(authID: F.app, .advancedConfig(AdvancedConfig(
            totalDegrees: 720, settings: F.settings(lockNGoTimeout: 45, autoLockTimeout: 120, autoLockEnabled: true, immediate: 1, autoUpdate: false))))])
        #expect(m.configUpdateCount == 2)
    }

    @Test(arguments: [
        Fixture.settings(lockNGoTimeout: 4), Fixture.settings(lockNGoTimeout: 61), Fixture.settings(unlatchDuration: 0),
        Fixture.settings(unlatchDuration: 31), Fixture.settings(autoLockTimeout: 1), Fixture.settings(autoLockTimeout: 0, autoLockEnabled: true),
        Fixture.settings(offset: 181), Fixture.settings(offset: -181), Fixture.settings(immediate: 2), Fixture.settings(motorSpeed: 3),
    ])
    func setAdvancedConfigRefusesValuesOutOfRange(settings: AdvancedConfigSettings) throws {
        var m = try F.machine()
        let before = m
        #expect(F.error { () throws(LockError) in try F.setAdvanced(&m, settings) } == .badParameter)
        #expect(m == before)
    }

    @Test func calibrationReportsStateFCThenTheStartPositionAndLogsType3() throws {
        var m = try F.machine()
        let out = try m.handle(.requestCalibration(RequestCalibration(challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        let replies = F.replies(out)
        #expect(replies.map(\.command) == [.status, .keyturnerStates, .keyturnerStates, .status])
        #expect(replies.first == Self.accepted && replies.last == Self.complete)
        if case .keyturnerStates(let s) = replies[1] { #expect(s.lockState == .calibration) }
        if case .keyturnerStates(let s) = replies[2] { #expect(s.lockState == .locked) }
        #expect(F.events(out).contains(.calibrationStarted(authID: F.app)))
        #expect(F.events(out).contains(.calibrationCompleted(authID: F.app, status: .success)))
        let entry = try #require(m.log.entries.last)
        #expect(entry.event == .calibration(.init(action: .lock, trigger: .system, flags: 0, completionStatus: .success)))
        #expect(entry.event.type.rawValue == 0x03)
        #expect(m.batteryMilliPercent == 99_500)
    }

    @Test func calibrationIsRefusedWhileBusyAndOnALowBattery() throws {
        var m = try F.machine(motorStep: 1000)
        _ = try F.lockAction(&m, .unlock)
        let request = NukiMessage.requestCalibration(RequestCalibration(challenge: .zero, securityPIN: F.pin))
        #expect(F.error { () throws(LockError) in try m.handle(request, from: F.app, at: F.t0) } == .busy)
        var low = try F.machine()
        low.batteryPercent = 9
        #expect(F.error { () throws(LockError) in try low.handle(request, from: F.app, at: F.t0) } == .voltageTooLow)
    }

    /// A read changes Most Recent Command only, which the runtime does not save on its own (issue
    /// 17: reads write nothing); a refused wrong PIN and a change are changes.
    @Test func readsChangeNothingBeyondMostRecentCommand() throws {
        let start = try F.machine()
        var m = start
        let config = try m.handle(.requestConfig(RequestConfig(challenge: .zero)), from: F.app, at: F.t0)
        #expect(F.replies(config).count == 1)
        #expect(m != start)
        #expect(m.mostRecentCommands[F.app] == .requestConfig)
        #expect(!m.changedBeyondMostRecentCommand(since: start))
        var wrong = m
        #expect(F.error { () throws(LockError) in
            try wrong.handle(.verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: .u16(1111))), from: F.app, at: F.t0)
        } == .badPIN)
        #expect(wrong.changedBeyondMostRecentCommand(since: m), "the failed PIN attempt counts toward the lockout")
        var changed = m
        _ = try F.lockAction(&changed, .unlock)
        #expect(changed.changedBeyondMostRecentCommand(since: m))
    }

    @Test func requestDataAnswersCountersAndMostRecentCommand() throws {
        var m = try F.machine()
        #expect(try F.requestData(&m, .mostRecentCommand) == [.mostRecentCommand(MostRecentCommand(commandID: Command(rawValue: 0)))])
        _ = try F.lockAction(&m, .unlock)
        _ = try F.lockAction(&m, .lock)
        #expect(try F.requestData(&m, .openingsClosingsSummary) == [.openingsClosingsSummary(OpeningsClosingsSummary(
            openingsTotal: 1, closingsTotal: 1, openingsSinceBoot: 1, closingsSinceBoot: 1))])
        #expect(try F.requestData(&m, .mostRecentCommand) == [.mostRecentCommand(MostRecentCommand(commandID: .lockAction))])
        _ = try m.handle(.requestReboot(RequestReboot(challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        #expect(try F.requestData(&m, .openingsClosingsSummary) == [.openingsClosingsSummary(OpeningsClosingsSummary(
            openingsTotal: 1, closingsTotal: 1, openingsSinceBoot: 0, closingsSinceBoot: 0))])
        let report = try F.requestData(&m, .batteryReport)
        guard case .batteryReport(let battery) = report.first else {
            Issue.record("\(report)")
            return
        }
        #expect(battery.batteryDrain == 4_000)  // the last action, a lock: 40 milli-percent × 100 mWs
        #expect(battery.batteryVoltage == 5_599 && !battery.criticalBatteryState && battery.lockAction == .lock)
        #expect(F.error { () throws(LockError) in try m.handle(.requestData(RequestData(requestedCommand: .config)), from: F.app, at: F.t0) } == .unknown)
    }

    @Test func inviteStoresTheUserAndHandsTheKeyOnlyToTheSession() throws {
        var m = try F.machine()
        let restriction = TimeRestriction(
            timeLimited: true, allowedFrom: .unset, allowedUntil: .unset, allowedWeekdays: [.monday],
            allowedFromTime: TimeOfDay(hour: 8, minute: 0), allowedUntilTime: TimeOfDay(hour: 18, minute: 0))
        let out = try m.handle(.authorizationDataInvite(AuthorizationDataInvite(
            name: FixedName("Guest", width: 32), idType: .app, sharedKey: F.key, remoteAllowed: true, restriction: restriction,
            challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        #expect(out == [
            .event(.invitedAuthorizationKey(authID: 4, sharedKey: F.key)),
            .reply(authID: F.app, .authorizationIDInvite(AuthorizationIDInvite(authID: 4, dateCreated: F.t0.utcDateTime))),
            .event(.authorizationAdded(authID: 4, idType: .app)),
        ])
        let guest = try #require(m.authorization(4))
        #expect(guest.remoteAllowed && guest.enabled && guest.restriction == restriction && guest.name == FixedName("Guest", width: 32))
        let text = "\(out) \(String(reflecting: out))"
        #expect(!text.contains(Hex.encode(F.key.bytes)) && !text.contains("a5a5") && !text.contains("A5A5"))
        #expect(text.contains("<redacted>"))
    }

    @Test func inviteErrors() throws {
        var m = try F.machine()
        func invite(_ name: FixedName, _ key: Bytes32) -> NukiMessage {
            .authorizationDataInvite(AuthorizationDataInvite(
                name: name, idType: .app, sharedKey: key, remoteAllowed: false, restriction: .unrestricted, challenge: .zero, securityPIN: F.pin))
        }
        #expect(F.error { () throws(LockError) in try m.handle(invite(FixedName("x", width: 32), .zero), from: F.app, at: F.t0) } == .badParameter)
        #expect(F.error { () throws(LockError) in
            try m.handle(invite(FixedName(rawBytes: [0xFF] + [UInt8](repeating: 0, count: 31)), F.key), from: F.app, at: F.t0)
        } == .badParameter)
        m.maxAuthorizations = 3
        #expect(F.error { () throws(LockError) in try m.handle(invite(FixedName("x", width: 32), F.key), from: F.app, at: F.t0) } == .tooManyEntries)
        #expect(m.authorizations.count == 3)
    }

    @Test func timeControlEntriesAddListUpdateRemove() throws {
        var m = try F.machine()
        let schedule = TimeControlSchedule(weekdays: [.monday, .friday], time: TimeOfDay(hour: 7, minute: 30), lockAction: .unlock)
        let added = try m.handle(.addTimeControlEntry(AddTimeControlEntry(schedule: schedule, challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        #expect(added == [.reply(authID: F.app, .timeControlEntryID(TimeControlEntryID(entryID: 1))), .event(.timeControlChanged(entryID: 1))])
        let entry = TimeControlEntry(entryID: 1, enabled: true, schedule: schedule)
        let list = { (m: inout LockMachine) throws(LockError) in
            try m.handle(.requestTimeControlEntries(RequestTimeControlEntries(challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        }
        #expect(try list(&m) == [
            .reply(authID: F.app, .timeControlEntryCount(TimeControlEntryCount(count: 1))), .reply(authID: F.app, .timeControlEntry(entry)),
            .reply(authID: F.app, Self.complete),
        ])
        var changed = entry
        changed.enabled = false
        changed.schedule.lockAction = .lock
        #expect(try m.handle(.updateTimeControlEntry(UpdateTimeControlEntry(entry: changed, challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
            == [.reply(authID: F.app, Self.complete), .event(.timeControlChanged(entryID: 1))])
        #expect(m.timeControlEntries == [changed])
        #expect(try m.handle(.removeTimeControlEntry(RemoveTimeControlEntry(entryID: 1, challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
            == [.reply(authID: F.app, Self.complete), .event(.timeControlChanged(entryID: 1))])
        #expect(try list(&m) == [.reply(authID: F.app, .timeControlEntryCount(TimeControlEntryCount(count: 0))), .reply(authID: F.app, Self.complete)])
    }

    @Test func timeControlErrors() throws {
        var m = try F.machine()
        let schedule = TimeControlSchedule(weekdays: [], time: TimeOfDay(hour: 7, minute: 30), lockAction: .lock)
        #expect(F.error { () throws(LockError) in
            try m.handle(.removeTimeControlEntry(RemoveTimeControlEntry(entryID: 9, challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        } == .badParameter)
        #expect(F.error { () throws(LockError) in
            try m.handle(.updateTimeControlEntry(UpdateTimeControlEntry(
                entry: TimeControlEntry(entryID: 9, enabled: true, schedule: schedule), challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        } == .badParameter)
        #expect(F.error { () throws(LockError) in
            try m.handle(.addTimeControlEntry(AddTimeControlEntry(
                schedule: TimeControlSchedule(weekdays: [], time: TimeOfDay(hour: 24, minute: 0), lockAction: .lock), challenge: .zero, securityPIN: F.pin)),
                from: F.app, at: F.t0)
        } == .badParameter)
        for _ in 0..<20 {
            _ = try m.handle(.addTimeControlEntry(AddTimeControlEntry(schedule: schedule, challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        }
        #expect(m.timeControlEntries.map(\.entryID) == Array(1...20))
        #expect(F.error { () throws(LockError) in
            try m.handle(.addTimeControlEntry(AddTimeControlEntry(schedule: schedule, challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        } == .tooManyEntries)
    }

    @Test func bridgeWithoutRemoteAccessIsRefusedExceptReadingState() throws {
        var m = try F.machine()
        #expect(F.error { () throws(LockError) in try F.lockAction(&m, .unlock, from: F.bridge) } == .remoteNotAllowed)
        #expect(F.error { () throws(LockError) in
            try m.handle(.requestConfig(RequestConfig(challenge: .zero)), from: F.bridge, at: F.t0)
        } == .remoteNotAllowed)
        // Refused before the PIN is looked at: no PIN attempt is counted.
        #expect(F.error { () throws(LockError) in
            try m.handle(.verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: .u16(1))), from: F.bridge, at: F.t0)
        } == .remoteNotAllowed)
        #expect(m.pinGuard.consecutiveFailures == 0)
        #expect(try F.requestData(&m, .keyturnerStates, from: F.bridge).map(\.command) == [.keyturnerStates])
        _ = try m.handle(.updateAuthorizationEntry(UpdateAuthorizationEntry(
            authID: F.bridge, name: FixedName("Bridge", width: 32), enabled: true, remoteAllowed: true, restriction: .unrestricted,
            challenge: .zero, securityPIN: F.pin)), from: F.app, at: F.t0)
        #expect(F.replies(try F.lockAction(&m, .unlock, from: F.bridge)).first == Self.accepted)
        #expect(m.lockState == .unlocked)
    }

    @Test func aBridgePairedAtTheLockMayRelay() throws {
        var m = try F.machine()
        _ = m.pressButton(heldMilliseconds: 5_000, at: F.t0)
        let (bridge, _) = try m.addAuthorization(authID: m.reserveAuthID(), idType: .bridge, clientID: 99, name: FixedName("HA", width: 32), at: F.t0)
        #expect(bridge.remoteAllowed)
        #expect(F.replies(try F.lockAction(&m, .unlock, from: bridge.authID)).last == Self.complete)
    }

    @Test func disabledAndOutOfWindowAdminsAreRefusedEveryCommand() throws {
        var m = try F.machine()
        m.restoreAuthorization(Authorization(authID: 7, idType: .app, clientID: 7, name: FixedName("Off", width: 32), enabled: false, dateCreated: .unset))
        let evening = TimeRestriction(
            timeLimited: true, allowedFrom: .unset, allowedUntil: .unset, allowedWeekdays: [],
            allowedFromTime: TimeOfDay(hour: 18, minute: 0), allowedUntilTime: TimeOfDay(hour: 20, minute: 0))
        m.restoreAuthorization(Authorization(authID: 8, idType: .app, clientID: 8, name: FixedName("Eve", width: 32), dateCreated: .unset, restriction: evening))
        let config = NukiMessage.requestConfig(RequestConfig(challenge: .zero))
        #expect(F.error { () throws(LockError) in try m.handle(config, from: 7, at: F.t0) } == .disabled)
        #expect(F.error { () throws(LockError) in try m.handle(config, from: 8, at: F.t0) } == .timeNotAllowed)
        #expect(F.error { () throws(LockError) in try m.handle(config, from: 8, at: F.t0.adding(milliseconds: 9 * 3_600_000)) } == nil)
    }

    @Test func simpleLockActionAndFobMappingWithAutoUnlatch() throws {
        var m = try F.machine()
        let simple = try m.handle(.simpleLockAction(SimpleLockActionRequest(action: .unlock, challenge: .zero)), from: F.app, at: F.t0)
        #expect(F.replies(simple).first == Self.accepted && F.replies(simple).last == Self.complete)
        #expect(m.lockState == .unlocked)
        _ = try F.lockAction(&m, .lock)
        _ = try m.handle(F.setConfig(autoUnlatch: true, fob1: .lockNGo), from: F.app, at: F.t0)
        _ = try F.lockAction(&m, .fobAction1, from: F.fob)
        // The latch is held for the unlatch duration (3 s), then lock'n'go holds 20 s in state 0x06.
        #expect(m.isBusy)
        #expect(m.lockState == .unlatched)
        _ = m.advance(to: F.t0.adding(milliseconds: 3_000))
        #expect(m.lockState == .unlockedLockNGo)
        #expect(m.keyturnerStates(at: F.t0.adding(milliseconds: 8_500)).lockNGoTimer == 15)
        _ = m.advance(to: F.t0.adding(milliseconds: 22_999))
        #expect(m.lockState == .unlockedLockNGo)
        _ = m.advance(to: F.t0.adding(milliseconds: 23_000))
        #expect(m.lockState == .locked)
        #expect(m.lastLockAction == .lockNGoWithUnlatch)
        #expect(m.log.entries.last?.event == .lockAction(.init(action: .lockNGoWithUnlatch, trigger: .system, flags: 0, completionStatus: .success)))
        #expect(F.error { () throws(LockError) in try F.lockAction(&m, .unlock, from: F.fob) } == .notAuthorized)
    }

    @Test func emptyBatteryRefusesTheMotor() throws {
        var m = try F.machine()
        m.batteryPercent = 0
        #expect(F.error { () throws(LockError) in try F.lockAction(&m, .unlock) } == .motorLowVoltage)
    }
}
