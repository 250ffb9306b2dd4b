// Switch-based accessors of NukiMessage: no existential boxing or dynamic casts on the hot path.
// Generated from the case list of NukiMessage.swift; keep the two in step (a test checks it).

extension NukiMessage {
    /// The command id this message travels under.
    public var command: Command {
        switch self {
        case .requestData: return RequestData.command
        case .publicKey: return PublicKey.command
        case .challenge: return Challenge.command
        case .authorizationAuthenticator: return AuthorizationAuthenticator.command
        case .authorizationData: return AuthorizationData.command
        case .ultraAuthorizationData: return UltraAuthorizationData.command
        case .authorizationID: return AuthorizationID.command
        case .ultraAuthorizationID: return UltraAuthorizationID.command
        case .removeAuthorizationEntry: return RemoveAuthorizationEntry.command
        case .requestAuthorizationEntries: return RequestAuthorizationEntries.command
        case .authorizationEntry: return AuthorizationEntry.command
        case .authorizationDataInvite: return AuthorizationDataInvite.command
        case .keyturnerStates: return KeyturnerStates.command
        case .lockAction: return LockActionRequest.command
        case .status: return Status.command
        case .mostRecentCommand: return MostRecentCommand.command
        case .openingsClosingsSummary: return OpeningsClosingsSummary.command
        case .batteryReport: return BatteryReport.command
        case .errorReport: return ErrorReport.command
        case .setConfig: return SetConfig.command
        case .requestConfig: return RequestConfig.command
        case .config: return Config.command
        case .setSecurityPIN: return SetSecurityPIN.command
        case .requestCalibration: return RequestCalibration.command
        case .requestReboot: return RequestReboot.command
        case .authorizationIDConfirmation: return AuthorizationIDConfirmation.command
        case .authorizationIDInvite: return AuthorizationIDInvite.command
        case .verifySecurityPIN: return VerifySecurityPIN.command
        case .updateTime: return UpdateTime.command
        case .updateAuthorizationEntry: return UpdateAuthorizationEntry.command
        case .authorizationEntryCount: return AuthorizationEntryCount.command
        case .requestLogEntries: return RequestLogEntries.command
        case .logEntry: return LogEntry.command
        case .logEntryCount: return LogEntryCount.command
        case .enableLogging: return EnableLogging.command
        case .setAdvancedConfig: return SetAdvancedConfig.command
        case .requestAdvancedConfig: return RequestAdvancedConfig.command
        case .advancedConfig: return AdvancedConfig.command
        case .addTimeControlEntry: return AddTimeControlEntry.command
        case .timeControlEntryID: return TimeControlEntryID.command
        case .removeTimeControlEntry: return RemoveTimeControlEntry.command
        case .requestTimeControlEntries: return RequestTimeControlEntries.command
        case .timeControlEntryCount: return TimeControlEntryCount.command
        case .timeControlEntry: return TimeControlEntry.command
        case .updateTimeControlEntry: return UpdateTimeControlEntry.command
        case .addKeypadCode: return AddKeypadCode.command
        case .keypadCodeID: return KeypadCodeID.command
        case .requestKeypadCodes: return RequestKeypadCodes.command
        case .keypadCodeCount: return KeypadCodeCount.command
        case .keypadCode: return KeypadCode.command
        case .updateKeypadCode: return UpdateKeypadCode.command
        case .removeKeypadCode: return RemoveKeypadCode.command
        case .keypadAction: return KeypadActionRequest.command
        case .authorizationInfo: return AuthorizationInfo.command
        case .simpleLockAction: return SimpleLockActionRequest.command
        }
    }

    /// The payload bytes.
    public func encodedPayload() -> [UInt8] {
        var writer = WireWriter()
        switch self {
        case .requestData(let p): p.encode(to: &writer)
        case .publicKey(let p): p.encode(to: &writer)
        case .challenge(let p): p.encode(to: &writer)
        case .authorizationAuthenticator(let p): p.encode(to: &writer)
        case .authorizationData(let p): p.encode(to: &writer)
        case .ultraAuthorizationData(let p): p.encode(to: &writer)
        case .authorizationID(let p): p.encode(to: &writer)
        case .ultraAuthorizationID(let p): p.encode(to: &writer)
        case .removeAuthorizationEntry(let p): p.encode(to: &writer)
        case .requestAuthorizationEntries(let p): p.encode(to: &writer)
        case .authorizationEntry(let p): p.encode(to: &writer)
        case .authorizationDataInvite(let p): p.encode(to: &writer)
        case .keyturnerStates(let p): p.encode(to: &writer)
        case .lockAction(let p): p.encode(to: &writer)
        case .status(let p): p.encode(to: &writer)
        case .mostRecentCommand(let p): p.encode(to: &writer)
        case .openingsClosingsSummary(let p): p.encode(to: &writer)
        case .batteryReport(let p): p.encode(to: &writer)
        case .errorReport(let p): p.encode(to: &writer)
        case .setConfig(let p): p.encode(to: &writer)
        case .requestConfig(let p): p.encode(to: &writer)
        case .config(let p): p.encode(to: &writer)
        case .setSecurityPIN(let p): p.encode(to: &writer)
        case .requestCalibration(let p): p.encode(to: &writer)
        case .requestReboot(let p): p.encode(to: &writer)
        case .authorizationIDConfirmation(let p): p.encode(to: &writer)
        case .authorizationIDInvite(let p): p.encode(to: &writer)
        case .verifySecurityPIN(let p): p.encode(to: &writer)
        case .updateTime(let p): p.encode(to: &writer)
        case .updateAuthorizationEntry(let p): p.encode(to: &writer)
        case .authorizationEntryCount(let p): p.encode(to: &writer)
        case .requestLogEntries(let p): p.encode(to: &writer)
        case .logEntry(let p): p.encode(to: &writer)
        case .logEntryCount(let p): p.encode(to: &writer)
        case .enableLogging(let p): p.encode(to: &writer)
        case .setAdvancedConfig(let p): p.encode(to: &writer)
        case .requestAdvancedConfig(let p): p.encode(to: &writer)
        case .advancedConfig(let p): p.encode(to: &writer)
        case .addTimeControlEntry(let p): p.encode(to: &writer)
        case .timeControlEntryID(let p): p.encode(to: &writer)
        case .removeTimeControlEntry(let p): p.encode(to: &writer)
        case .requestTimeControlEntries(let p): p.encode(to: &writer)
        case .timeControlEntryCount(let p): p.encode(to: &writer)
        case .timeControlEntry(let p): p.encode(to: &writer)
        case .updateTimeControlEntry(let p): p.encode(to: &writer)
        case .addKeypadCode(let p): p.encode(to: &writer)
        case .keypadCodeID(let p): p.encode(to: &writer)
        case .requestKeypadCodes(let p): p.encode(to: &writer)
        case .keypadCodeCount(let p): p.encode(to: &writer)
        case .keypadCode(let p): p.encode(to: &writer)
        case .updateKeypadCode(let p): p.encode(to: &writer)
        case .removeKeypadCode(let p): p.encode(to: &writer)
        case .keypadAction(let p): p.encode(to: &writer)
        case .authorizationInfo(let p): p.encode(to: &writer)
        case .simpleLockAction(let p): p.encode(to: &writer)
        }
        return writer.bytes
    }

    /// The challenge nonce nK the message carries (auth EC and ECP of `docs/wire.md` §4), if any.
    public var challenge: Bytes32? {
        switch self {
        case .removeAuthorizationEntry(let p): return p.challenge
        case .requestAuthorizationEntries(let p): return p.challenge
        case .authorizationDataInvite(let p): return p.challenge
        case .lockAction(let p): return p.challenge
        case .setConfig(let p): return p.challenge
        case .requestConfig(let p): return p.challenge
        case .setSecurityPIN(let p): return p.challenge
        case .requestCalibration(let p): return p.challenge
        case .requestReboot(let p): return p.challenge
        case .verifySecurityPIN(let p): return p.challenge
        case .updateTime(let p): return p.challenge
        case .updateAuthorizationEntry(let p): return p.challenge
        case .requestLogEntries(let p): return p.challenge
        case .enableLogging(let p): return p.challenge
        case .setAdvancedConfig(let p): return p.challenge
        case .requestAdvancedConfig(let p): return p.challenge
        case .addTimeControlEntry(let p): return p.challenge
        case .removeTimeControlEntry(let p): return p.challenge
        case .requestTimeControlEntries(let p): return p.challenge
        case .updateTimeControlEntry(let p): return p.challenge
        case .addKeypadCode(let p): return p.challenge
        case .requestKeypadCodes(let p): return p.challenge
        case .updateKeypadCode(let p): return p.challenge
        case .removeKeypadCode(let p): return p.challenge
        case .keypadAction(let p): return p.challenge
        case .simpleLockAction(let p): return p.challenge
        default: return nil
        }
    }

    /// The security PIN the message carries (auth ECP of `docs/wire.md` §4), if any.
    public var securityPIN: SecurityPIN? {
        switch self {
        case .removeAuthorizationEntry(let p): return p.securityPIN
        case .requestAuthorizationEntries(let p): return p.securityPIN
        case .authorizationDataInvite(let p): return p.securityPIN
        case .setConfig(let p): return p.securityPIN
        case .setSecurityPIN(let p): return p.securityPIN
        case .requestCalibration(let p): return p.securityPIN
        case .requestReboot(let p): return p.securityPIN
        case .verifySecurityPIN(let p): return p.securityPIN
        case .updateTime(let p): return p.securityPIN
        case .updateAuthorizationEntry(let p): return p.securityPIN
        case .requestLogEntries(let p): return p.securityPIN
        case .enableLogging(let p): return p.securityPIN
        case .setAdvancedConfig(let p): return p.securityPIN
        case .addTimeControlEntry(let p): return p.securityPIN
        case .removeTimeControlEntry(let p): return p.securityPIN
        case .requestTimeControlEntries(let p): return p.securityPIN
        case .updateTimeControlEntry(let p): return p.securityPIN
        case .addKeypadCode(let p): return p.securityPIN
        case .requestKeypadCodes(let p): return p.securityPIN
        case .updateKeypadCode(let p): return p.securityPIN
        case .removeKeypadCode(let p): return p.securityPIN
        default: return nil
        }
    }
}
