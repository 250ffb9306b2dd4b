import LockWire
import Testing

/// One well-formed message per admin-only command, carrying `challenge` and the PIN 4321.
enum AdminSamples {
    static let pin = SecurityPIN.u16(4321)
    static let time = DateTime(year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0)

    static func message(_ command: Command, challenge: Bytes32) -> NukiMessage {
        let name = FixedName("x", width: 32)
        let settings = AdvancedConfigSettings(
            unlockedPositionOffsetDegrees: 0, lockedPositionOffsetDegrees: 0, singleLockedPositionOffsetDegrees: 0,
            unlockedToLockedTransitionOffsetDegrees: 0, lockNGoTimeout: 20, singleButtonPressAction: .intelligent,
            doubleButtonPressAction: .lockNGo, detachedCylinder: false, batteryType: .alkali, automaticBatteryTypeDetection: true,
            unlatchDuration: 3, autoLockTimeout: 300, autoUnlockDisabled: false, nightmodeEnabled: false,
            nightmodeStartTime: .midnight, nightmodeEndTime: .midnight, nightmodeAutoLockEnabled: false,
            nightmodeAutoUnlockDisabled: false, nightmodeImmediateLockOnStart: false)
        let schedule = TimeControlSchedule(weekdays: [], time: .midnight, lockAction: .lock)
        switch command {
        case .removeAuthorizationEntry: return .removeAuthorizationEntry(.init(authID: 1, challenge: challenge, securityPIN: pin))
        case .requestAuthorizationEntries: return .requestAuthorizationEntries(.init(offset: 0, count: 10, challenge: challenge, securityPIN: pin))
        case .authorizationDataInvite: return .authorizationDataInvite(.init(name: name, idType: .app, sharedKey: challenge, remoteAllowed: false, restriction: .unrestricted, challenge: challenge, securityPIN: pin))
        case .setConfig: return .setConfig(.init(name: name, latitude: 0, longitude: 0, autoUnlatch: false, pairingEnabled: true, buttonEnabled: true, ledEnabled: true, ledBrightness: 3, timezoneOffsetMinutes: 0, dstMode: .european, fobAction1: .unlock, fobAction2: .lock, fobAction3: .none, singleLock: false, advertisingMode: .automatic, timezoneID: .none, challenge: challenge, securityPIN: pin))
        case .requestConfig: return .requestConfig(.init(challenge: challenge))
        case .setSecurityPIN: return .setSecurityPIN(.init(newPIN: .u16(1), challenge: challenge, securityPIN: pin))
        case .requestCalibration: return .requestCalibration(.init(challenge: challenge, securityPIN: pin))
        case .requestReboot: return .requestReboot(.init(challenge: challenge, securityPIN: pin))
        case .verifySecurityPIN: return .verifySecurityPIN(.init(challenge: challenge, securityPIN: pin))
        case .updateTime: return .updateTime(.init(time: time, challenge: challenge, securityPIN: pin))
        case .updateAuthorizationEntry: return .updateAuthorizationEntry(.init(authID: 1, name: name, enabled: true, remoteAllowed: true, restriction: .unrestricted, challenge: challenge, securityPIN: pin))
        case .requestLogEntries: return .requestLogEntries(.init(startIndex: 0, count: 10, descending: false, totalCount: true, challenge: challenge, securityPIN: pin))
        case .enableLogging: return .enableLogging(.init(enabled: false, challenge: challenge, securityPIN: pin))
        case .setAdvancedConfig: return .setAdvancedConfig(.init(settings: settings, challenge: challenge, securityPIN: pin))
        case .requestAdvancedConfig: return .requestAdvancedConfig(.init(challenge: challenge))
        case .addTimeControlEntry: return .addTimeControlEntry(.init(schedule: schedule, challenge: challenge, securityPIN: pin))
        case .removeTimeControlEntry: return .removeTimeControlEntry(.init(entryID: 1, challenge: challenge, securityPIN: pin))
        case .requestTimeControlEntries: return .requestTimeControlEntries(.init(challenge: challenge, securityPIN: pin))
        case .updateTimeControlEntry: return .updateTimeControlEntry(.init(entry: TimeControlEntry(entryID: 1, enabled: true, schedule: schedule), challenge: challenge, securityPIN: pin))
        case .addKeypadCode: return .addKeypadCode(.init(code: 456_789, name: FixedName("x", width: 20), restriction: .unrestricted, challenge: challenge, securityPIN: pin))
        case .requestKeypadCodes: return .requestKeypadCodes(.init(offset: 0, count: 10, challenge: challenge, securityPIN: pin))
        case .updateKeypadCode: return .updateKeypadCode(.init(codeID: 1, code: 456_789, name: FixedName("x", width: 20), enabled: true, restriction: .unrestricted, challenge: challenge, securityPIN: pin))
        case .removeKeypadCode: return .removeKeypadCode(.init(codeID: 1, challenge: challenge, securityPIN: pin))
        case .simpleLockAction: return .simpleLockAction(.init(action: .unlock, challenge: challenge))
        default:
            Issue.record("AdminSamples has no message for \(command): add one")
            return .requestConfig(.init(challenge: challenge))
        }
    }
}
