import LockWire

/// One or more sample messages per documented command, with the context they decode in and whether
/// they are at the minimum or maximum length of their layout (so cutting or growing one byte must fail).
struct Sample: CustomStringConvertible {
    let message: NukiMessage
    var context: WireContext = .smartLock
    /// Cutting one byte must fail.
    var minimal = true
    /// Adding one byte must fail.
    var maximal = true
    var label = ""

    var description: String { "\(message.command)\(label.isEmpty ? "" : " " + label)" }
}

enum Samples {
    static let time = DateTime(year: 2026, month: 11, day: 30, hour: 9, minute: 5, second: 59)
    static let later = DateTime(year: 2027, month: 2, day: 28, hour: 23, minute: 59, second: 0)
    static let pin = SecurityPIN.u16(1234)
    static let ultraPIN = SecurityPIN.u32(123_456)
    static let window = TimeRestriction(
        timeLimited: true, allowedFrom: time, allowedUntil: later, allowedWeekdays: [.monday, .friday],
        allowedFromTime: TimeOfDay(hour: 9, minute: 0), allowedUntilTime: TimeOfDay(hour: 12, minute: 30))
    static let name = FixedName("Front door ✓", width: 32)
    static let shortName = FixedName("Cleaner", width: 20)
    static let uuid = LockUUID([UInt8](0..<16))!

    static let states15 = KeyturnerStates(
        nukiState: .doorMode, lockState: .locked, trigger: .system, currentTime: time,
        timezoneOffsetMinutes: -300, criticalBatteryState: CriticalBatteryState(critical: false, charging: false, percent: 84),
        configUpdateCount: 7, lockNGoTimer: 0)
    static var states27: KeyturnerStates {
        var s = states15
        s.lastLockAction = .unlock
        s.lastLockActionTrigger = .button
        s.lastLockActionCompletionStatus = .success
        s.doorSensorState = .closed
        s.nightmodeActive = true
        s.accessoryBatteryState = 0x03
        s.remoteAccessStatus = 0x02
        s.bleConnectionStrength = -61
        s.wifiConnectionStrength = -70
        s.wifiStatus = 0x11
        s.mqttStatus = 0x01
        s.threadStatus = 0x00
        return s
    }

    static let config71 = Config(
        nukiID: 0x2A37_599A, name: name, latitude: 48.2082, longitude: -16.3738, autoUnlatch: false,
        pairingEnabled: true, buttonEnabled: true, ledEnabled: true, ledBrightness: 3, currentTime: time,
        timezoneOffsetMinutes: 60, dstMode: .european, hasFob: true, fobAction1: .unlock, fobAction2: .lock,
        fobAction3: .none, singleLock: false, advertisingMode: .automatic, hasKeypad: true,
        firmwareVersion: FirmwareVersion(major: 3, minor: 8, patch: 2), hardwareRevision: HardwareRevision(major: 2, minor: 5))
    static var config79: Config {
        var c = config71
        c.homeKitStatus = 2
        c.timezoneID = TimeZoneID(tzName: "Europe/Berlin")
        c.deviceType = 4
        c.capabilities = 1
        c.hasKeypad2 = false
        c.matterStatus = 3
        c.productVariant = 1
        return c
    }

    static let settings26 = AdvancedConfigSettings(
        unlockedPositionOffsetDegrees: -12, lockedPositionOffsetDegrees: 7, singleLockedPositionOffsetDegrees: 0,
        unlockedToLockedTransitionOffsetDegrees: 90, lockNGoTimeout: 20, singleButtonPressAction: .intelligent,
        doubleButtonPressAction: .lockNGo, detachedCylinder: false, batteryType: .lithium,
        automaticBatteryTypeDetection: true, unlatchDuration: 3, autoLockTimeout: 300, autoUnlockDisabled: false,
        nightmodeEnabled: true, nightmodeStartTime: TimeOfDay(hour: 22, minute: 0),
        nightmodeEndTime: TimeOfDay(hour: 6, minute: 30), nightmodeAutoLockEnabled: true,
        nightmodeAutoUnlockDisabled: true, nightmodeImmediateLockOnStart: false)
    static var settings31: AdvancedConfigSettings {
        var s = settings26
        s.autoLockEnabled = true
        s.immediateAutoLockEnabled = 0xFF
        s.autoUpdateEnabled = true
        s.motorSpeed = 2
        s.slowSpeedDuringNightmode = false
        return s
    }

    static let schedule = TimeControlSchedule(weekdays: [.saturday, .sunday], time: TimeOfDay(hour: 7, minute: 45), lockAction: .unlock)

    static let all: [Sample] = [
        Sample(message: .requestData(RequestData(requestedCommand: .keyturnerStates)), maximal: false),
        Sample(message: .requestData(RequestData(requestedCommand: .batteryReport, additionalData: [1, 2])), minimal: false, maximal: false, label: "with data"),
        Sample(message: .publicKey(PublicKey(key: b32(0x11)))),
        Sample(message: .challenge(Challenge(nonce: b32(0x22)))),
        Sample(message: .authorizationAuthenticator(AuthorizationAuthenticator(authenticator: b32(0x33)))),
        Sample(message: .authorizationData(AuthorizationData(authenticator: b32(1), idType: .keypad, id: 0xDEAD_BEEF, name: name, clientNonce: b32(2)))),
        Sample(message: .ultraAuthorizationData(UltraAuthorizationData(appID: 77, name: name, securityPIN: 123_456)), context: .ultra),
        Sample(message: .authorizationID(AuthorizationID(authenticator: b32(3), authID: 2, lockUUID: uuid, nonce: b32(4)))),
        Sample(message: .ultraAuthorizationID(UltraAuthorizationID(authID: 34808, lockUUID: uuid)), context: .ultra),
        Sample(message: .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: 9, challenge: b32(5), securityPIN: pin))),
        Sample(message: .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: 9, challenge: b32(5), securityPIN: ultraPIN)), context: .ultra, label: "Ultra"),
        Sample(message: .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 100, challenge: b32(6), securityPIN: pin)), maximal: false),
        Sample(message: .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 1, count: 5, filter: .fob, challenge: b32(6), securityPIN: pin)), minimal: false, label: "filtered"),
        Sample(message: .authorizationEntry(AuthorizationEntry(authID: 2, idType: .app, name: name, enabled: true, remoteAllowed: false, dateCreated: time, dateLastActive: later, lockCount: 513, restriction: window))),
        Sample(message: .authorizationDataInvite(AuthorizationDataInvite(name: name, idType: .bridge, sharedKey: b32(7), remoteAllowed: true, restriction: window, challenge: b32(8), securityPIN: pin))),
        Sample(message: .keyturnerStates(states15), maximal: false, label: "15 bytes"),
        Sample(message: .keyturnerStates(states27), minimal: false, label: "27 bytes"),
        Sample(message: .lockAction(LockActionRequest(action: .unlock, appID: 0, challenge: b32(9))), maximal: false),
        Sample(message: .lockAction(LockActionRequest(action: .fobAction2, appID: 42, flags: [.autoUnlock, .force], nameSuffix: FixedName("via test", width: 20), challenge: b32(9))), minimal: false, label: "suffix"),
        Sample(message: .status(Status(.accepted))),
        Sample(message: .mostRecentCommand(MostRecentCommand(commandID: .lockAction))),
        Sample(message: .openingsClosingsSummary(OpeningsClosingsSummary(openingsTotal: 1000, closingsTotal: 999, openingsSinceBoot: 3, closingsSinceBoot: 2))),
        Sample(message: .batteryReport(BatteryReport(batteryDrain: 120, batteryVoltage: 5400, criticalBatteryState: false, lockAction: .lock, startVoltage: 5500, lowestVoltage: 5100, lockDistance: 720, startTemperature: -5, maxTurnCurrent: 800, batteryResistance: 150))),
        Sample(message: .errorReport(ErrorReport(errorCode: .badNonce, commandID: .lockAction))),
        Sample(message: .setConfig(SetConfig(name: name, latitude: 1.5, longitude: -2.25, autoUnlatch: true, pairingEnabled: false, buttonEnabled: true, ledEnabled: false, ledBrightness: 5, timezoneOffsetMinutes: 120, dstMode: .off, fobAction1: .intelligent, fobAction2: .lockNGo, fobAction3: .none, singleLock: true, advertisingMode: .slowest, timezoneID: .none, challenge: b32(10), securityPIN: pin))),
        Sample(message: .requestConfig(RequestConfig(challenge: b32(11)))),
        Sample(message: .config(config71), maximal: false, label: "71 bytes"),
        Sample(message: .config(config79), minimal: false, label: "79 bytes"),
        Sample(message: .setSecurityPIN(SetSecurityPIN(newPIN: .u16(4321), challenge: b32(12), securityPIN: pin))),
        Sample(message: .setSecurityPIN(SetSecurityPIN(newPIN: .u32(654_321), challenge: b32(12), securityPIN: ultraPIN)), context: .ultra, label: "Ultra"),
        Sample(message: .requestCalibration(RequestCalibration(challenge: b32(13), securityPIN: pin))),
        Sample(message: .requestReboot(RequestReboot(challenge: b32(14), securityPIN: pin))),
        Sample(message: .authorizationIDConfirmation(AuthorizationIDConfirmation(authenticator: b32(15), authID: 2))),
        Sample(message: .authorizationIDInvite(AuthorizationIDInvite(authID: 3, dateCreated: time))),
        Sample(message: .verifySecurityPIN(VerifySecurityPIN(challenge: b32(16), securityPIN: pin))),
        Sample(message: .updateTime(UpdateTime(time: later, challenge: b32(17), securityPIN: pin))),
        Sample(message: .updateAuthorizationEntry(UpdateAuthorizationEntry(authID: 4, name: name, enabled: false, remoteAllowed: true, restriction: .unrestricted, challenge: b32(18), securityPIN: pin))),
        Sample(message: .authorizationEntryCount(AuthorizationEntryCount(count: 3))),
        Sample(message: .requestLogEntries(RequestLogEntries(startIndex: 0, count: 65535, descending: true, totalCount: true, challenge: b32(19), securityPIN: pin))),
        Sample(message: .logEntry(LogEntry(index: 1, timestamp: time, authID: 2, name: name, event: .lockAction(.init(action: .unlock, trigger: .system, flags: 0, completionStatus: .success)), padding: [])), maximal: false, label: "lock action"),
        Sample(message: .logEntry(LogEntry(index: 2, timestamp: .unset, authID: 3, name: name, event: .keypadAction(.init(action: .unlock, source: .code, completionStatus: .invalidCode, codeID: 7)))), maximal: false, label: "keypad action"),
        Sample(message: .logEntry(LogEntry(index: 3, timestamp: time, authID: 0, name: FixedName(rawBytes: Array("Keypad".utf8) + [0, 0xAB] + [UInt8](repeating: 0, count: 24)), event: .loggingEnabled(true))), minimal: false, maximal: false, label: "padded, junk after NUL"),
        Sample(message: .logEntry(LogEntry(index: 4, timestamp: time, authID: 0, name: name, event: .doorSensor(2), padding: [])), maximal: false, label: "door sensor"),
        Sample(message: .logEntry(LogEntry(index: 5, timestamp: time, authID: 0, name: name, event: .calibration(.init(action: .unlock, trigger: .manual, flags: 0, completionStatus: .motorBlocked)))), minimal: false, maximal: false, label: "calibration"),
        Sample(message: .logEntryCount(LogEntryCount(loggingEnabled: true, count: 12, doorSensorEnabled: false, doorSensorLoggingEnabled: false))),
        Sample(message: .enableLogging(EnableLogging(enabled: true, challenge: b32(20), securityPIN: pin))),
        Sample(message: .setAdvancedConfig(SetAdvancedConfig(settings: settings26, challenge: b32(21), securityPIN: pin)), maximal: false, label: "26 bytes"),
        Sample(message: .setAdvancedConfig(SetAdvancedConfig(settings: settings31, challenge: b32(21), securityPIN: pin)), minimal: false, label: "31 bytes"),
        Sample(message: .requestAdvancedConfig(RequestAdvancedConfig(challenge: b32(22)))),
        Sample(message: .advancedConfig(AdvancedConfig(totalDegrees: 720, settings: settings26)), maximal: false, label: "28 bytes"),
        Sample(message: .advancedConfig(AdvancedConfig(totalDegrees: 720, settings: settings31)), minimal: false, label: "33 bytes"),
        Sample(message: .addTimeControlEntry(AddTimeControlEntry(schedule: schedule, challenge: b32(23), securityPIN: pin))),
        Sample(message: .timeControlEntryID(TimeControlEntryID(entryID: 5))),
        Sample(message: .removeTimeControlEntry(RemoveTimeControlEntry(entryID: 5, challenge: b32(24), securityPIN: pin))),
        Sample(message: .requestTimeControlEntries(RequestTimeControlEntries(challenge: b32(25), securityPIN: pin))),
        Sample(message: .timeControlEntryCount(TimeControlEntryCount(count: 1))),
        Sample(message: .timeControlEntry(TimeControlEntry(entryID: 5, enabled: true, schedule: schedule))),
        Sample(message: .updateTimeControlEntry(UpdateTimeControlEntry(entry: TimeControlEntry(entryID: 5, enabled: false, schedule: schedule), challenge: b32(26), securityPIN: pin))),
        Sample(message: .addKeypadCode(AddKeypadCode(code: 456_789, name: shortName, restriction: window, challenge: b32(27), securityPIN: pin))),
        Sample(message: .keypadCodeID(KeypadCodeID(codeID: 1, dateCreated: time))),
        Sample(message: .requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 10, challenge: b32(28), securityPIN: pin))),
        Sample(message: .keypadCodeCount(KeypadCodeCount(count: 2))),
        Sample(message: .keypadCode(KeypadCode(codeID: 1, code: 456_789, name: shortName, enabled: true, dateCreated: time, dateLastActive: later, lockCount: 4, restriction: window))),
        Sample(message: .updateKeypadCode(UpdateKeypadCode(codeID: 1, code: 987_654, name: shortName, enabled: false, restriction: .unrestricted, challenge: b32(29), securityPIN: pin))),
        Sample(message: .removeKeypadCode(RemoveKeypadCode(codeID: 1, challenge: b32(30), securityPIN: pin))),
        Sample(message: .keypadAction(KeypadActionRequest(source: .code, code: 456_789, action: .unlock, challenge: b32(31)))),
        Sample(message: .authorizationInfo(AuthorizationInfo(securityPINSet: true)), context: .ultra),
        Sample(message: .simpleLockAction(SimpleLockActionRequest(action: .lock, challenge: b32(32))), maximal: false),
        Sample(message: .simpleLockAction(SimpleLockActionRequest(action: .unlock, nameSuffix: FixedName("auto", width: 20), challenge: b32(32))), minimal: false, label: "suffix"),
    ]
}
