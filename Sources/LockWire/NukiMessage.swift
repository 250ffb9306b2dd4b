/// Any documented Nuki message, decoded from its command id and payload by the codec of that command.
///
/// ``decode(command:payload:context:)`` throws `unknownCommand` (answered with 0xFF ERROR_UNKNOWN) for
/// an id the API does not document, and the payload codec's error otherwise (0xFE for lengths,
/// 0x23 for values). Authorization Data (0x0006) and Authorization-ID (0x0007) decode in the Ultra
/// layout when `context.ultraPairing` is set.
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Commands", `docs/wire.md` §4.
public enum NukiMessage: Hashable, Sendable {
    case requestData(RequestData)
    case publicKey(PublicKey)
    case challenge(Challenge)
    case authorizationAuthenticator(AuthorizationAuthenticator)
    case authorizationData(AuthorizationData)
    case ultraAuthorizationData(UltraAuthorizationData)
    case authorizationID(AuthorizationID)
    case ultraAuthorizationID(UltraAuthorizationID)
    case removeAuthorizationEntry(RemoveAuthorizationEntry)
    case requestAuthorizationEntries(RequestAuthorizationEntries)
    case authorizationEntry(AuthorizationEntry)
    case authorizationDataInvite(AuthorizationDataInvite)
    case keyturnerStates(KeyturnerStates)
    case lockAction(LockActionRequest)
    case status(Status)
    case mostRecentCommand(MostRecentCommand)
    case openingsClosingsSummary(OpeningsClosingsSummary)
    case batteryReport(BatteryReport)
    case errorReport(ErrorReport)
    case setConfig(SetConfig)
    case requestConfig(RequestConfig)
    case config(Config)
    case setSecurityPIN(SetSecurityPIN)
    case requestCalibration(RequestCalibration)
    case requestReboot(RequestReboot)
    case authorizationIDConfirmation(AuthorizationIDConfirmation)
    case authorizationIDInvite(AuthorizationIDInvite)
    case verifySecurityPIN(VerifySecurityPIN)
    case updateTime(UpdateTime)
    case updateAuthorizationEntry(UpdateAuthorizationEntry)
    case authorizationEntryCount(AuthorizationEntryCount)
    case requestLogEntries(RequestLogEntries)
    case logEntry(LogEntry)
    case logEntryCount(LogEntryCount)
    case enableLogging(EnableLogging)
    case setAdvancedConfig(SetAdvancedConfig)
    case requestAdvancedConfig(RequestAdvancedConfig)
    case advancedConfig(AdvancedConfig)
    case addTimeControlEntry(AddTimeControlEntry)
    case timeControlEntryID(TimeControlEntryID)
    case removeTimeControlEntry(RemoveTimeControlEntry)
    case requestTimeControlEntries(RequestTimeControlEntries)
    case timeControlEntryCount(TimeControlEntryCount)
    case timeControlEntry(TimeControlEntry)
    case updateTimeControlEntry(UpdateTimeControlEntry)
    case addKeypadCode(AddKeypadCode)
    case keypadCodeID(KeypadCodeID)
    case requestKeypadCodes(RequestKeypadCodes)
    case keypadCodeCount(KeypadCodeCount)
    case keypadCode(KeypadCode)
    case updateKeypadCode(UpdateKeypadCode)
    case removeKeypadCode(RemoveKeypadCode)
    case keypadAction(KeypadActionRequest)
    case authorizationInfo(AuthorizationInfo)
    case simpleLockAction(SimpleLockActionRequest)

    /// Decodes `payload` as the payload of `command`, rejecting trailing bytes.
    public static func decode(
        command: Command, payload: ArraySlice<UInt8>, context: WireContext = .smartLock
    ) throws(WireError) -> NukiMessage {
        switch command {
        case .requestData: return .requestData(try RequestData(payload: payload, context: context))
        case .publicKey: return .publicKey(try PublicKey(payload: payload, context: context))
        case .challenge: return .challenge(try Challenge(payload: payload, context: context))
        case .authorizationAuthenticator: return .authorizationAuthenticator(try AuthorizationAuthenticator(payload: payload, context: context))
        case .authorizationData:
            return context.ultraPairing
                ? .ultraAuthorizationData(try UltraAuthorizationData(payload: payload, context: context))
                : .authorizationData(try AuthorizationData(payload: payload, context: context))
        case .authorizationID:
            return context.ultraPairing
                ? .ultraAuthorizationID(try UltraAuthorizationID(payload: payload, context: context))
                : .authorizationID(try AuthorizationID(payload: payload, context: context))
        case .removeAuthorizationEntry: return .removeAuthorizationEntry(try RemoveAuthorizationEntry(payload: payload, context: context))
        case .requestAuthorizationEntries: return .requestAuthorizationEntries(try RequestAuthorizationEntries(payload: payload, context: context))
        case .authorizationEntry: return .authorizationEntry(try AuthorizationEntry(payload: payload, context: context))
        case .authorizationDataInvite: return .authorizationDataInvite(try AuthorizationDataInvite(payload: payload, context: context))
        case .keyturnerStates: return .keyturnerStates(try KeyturnerStates(payload: payload, context: context))
        case .lockAction: return .lockAction(try LockActionRequest(payload: payload, context: context))
        case .status: return .status(try Status(payload: payload, context: context))
        case .mostRecentCommand: return .mostRecentCommand(try MostRecentCommand(payload: payload, context: context))
        case .openingsClosingsSummary: return .openingsClosingsSummary(try OpeningsClosingsSummary(payload: payload, context: context))
        case .batteryReport: return .batteryReport(try BatteryReport(payload: payload, context: context))
        case .errorReport: return .errorReport(try ErrorReport(payload: payload, context: context))
        case .setConfig: return .setConfig(try SetConfig(payload: payload, context: context))
        case .requestConfig: return .requestConfig(try RequestConfig(payload: payload, context: context))
        case .config: return .config(try Config(payload: payload, context: context))
        case .setSecurityPIN: return .setSecurityPIN(try SetSecurityPIN(payload: payload, context: context))
        case .requestCalibration: return .requestCalibration(try RequestCalibration(payload: payload, context: context))
        case .requestReboot: return .requestReboot(try RequestReboot(payload: payload, context: context))
        case .authorizationIDConfirmation: return .authorizationIDConfirmation(try AuthorizationIDConfirmation(payload: payload, context: context))
        case .authorizationIDInvite: return .authorizationIDInvite(try AuthorizationIDInvite(payload: payload, context: context))
        case .verifySecurityPIN: return .verifySecurityPIN(try VerifySecurityPIN(payload: payload, context: context))
        case .updateTime: return .updateTime(try UpdateTime(payload: payload, context: context))
        case .updateAuthorizationEntry: return .updateAuthorizationEntry(try UpdateAuthorizationEntry(payload: payload, context: context))
        case .authorizationEntryCount: return .authorizationEntryCount(try AuthorizationEntryCount(payload: payload, context: context))
        case .requestLogEntries: return .requestLogEntries(try RequestLogEntries(payload: payload, context: context))
        case .logEntry: return .logEntry(try LogEntry(payload: payload, context: context))
        case .logEntryCount: return .logEntryCount(try LogEntryCount(payload: payload, context: context))
        case .enableLogging: return .enableLogging(try EnableLogging(payload: payload, context: context))
        case .setAdvancedConfig: return .setAdvancedConfig(try SetAdvancedConfig(payload: payload, context: context))
        case .requestAdvancedConfig: return .requestAdvancedConfig(try RequestAdvancedConfig(payload: payload, context: context))
        case .advancedConfig: return .advancedConfig(try AdvancedConfig(payload: payload, context: context))
        case .addTimeControlEntry: return .addTimeControlEntry(try AddTimeControlEntry(payload: payload, context: context))
        case .timeControlEntryID: return .timeControlEntryID(try TimeControlEntryID(payload: payload, context: context))
        case .removeTimeControlEntry: return .removeTimeControlEntry(try RemoveTimeControlEntry(payload: payload, context: context))
        case .requestTimeControlEntries: return .requestTimeControlEntries(try RequestTimeControlEntries(payload: payload, context: context))
        case .timeControlEntryCount: return .timeControlEntryCount(try TimeControlEntryCount(payload: payload, context: context))
        case .timeControlEntry: return .timeControlEntry(try TimeControlEntry(payload: payload, context: context))
        case .updateTimeControlEntry: return .updateTimeControlEntry(try UpdateTimeControlEntry(payload: payload, context: context))
        case .addKeypadCode: return .addKeypadCode(try AddKeypadCode(payload: payload, context: context))
        case .keypadCodeID: return .keypadCodeID(try KeypadCodeID(payload: payload, context: context))
        case .requestKeypadCodes: return .requestKeypadCodes(try RequestKeypadCodes(payload: payload, context: context))
        case .keypadCodeCount: return .keypadCodeCount(try KeypadCodeCount(payload: payload, context: context))
        case .keypadCode: return .keypadCode(try KeypadCode(payload: payload, context: context))
        case .updateKeypadCode: return .updateKeypadCode(try UpdateKeypadCode(payload: payload, context: context))
        case .removeKeypadCode: return .removeKeypadCode(try RemoveKeypadCode(payload: payload, context: context))
        case .keypadAction: return .keypadAction(try KeypadActionRequest(payload: payload, context: context))
        case .authorizationInfo: return .authorizationInfo(try AuthorizationInfo(payload: payload, context: context))
        case .simpleLockAction: return .simpleLockAction(try SimpleLockActionRequest(payload: payload, context: context))
        default:
            throw WireError(.unknownCommand, "command \(command) is not documented")
        }
    }

    public static func decode(command: Command, payload: [UInt8], context: WireContext = .smartLock) throws(WireError) -> NukiMessage {
        try decode(command: command, payload: payload[...], context: context)
    }

    /// The payload inside, as its codec.
    public var payload: any NukiPayload {
        switch self {
        case .requestData(let p): return p
        case .publicKey(let p): return p
        case .challenge(let p): return p
        case .authorizationAuthenticator(let p): return p
        case .authorizationData(let p): return p
        case .ultraAuthorizationData(let p): return p
        case .authorizationID(let p): return p
        case .ultraAuthorizationID(let p): return p
        case .removeAuthorizationEntry(let p): return p
        case .requestAuthorizationEntries(let p): return p
        case .authorizationEntry(let p): return p
        case .authorizationDataInvite(let p): return p
        case .keyturnerStates(let p): return p
        case .lockAction(let p): return p
        case .status(let p): return p
        case .mostRecentCommand(let p): return p
        case .openingsClosingsSummary(let p): return p
        case .batteryReport(let p): return p
        case .errorReport(let p): return p
        case .setConfig(let p): return p
        case .requestConfig(let p): return p
        case .config(let p): return p
        case .setSecurityPIN(let p): return p
        case .requestCalibration(let p): return p
        case .requestReboot(let p): return p
        case .authorizationIDConfirmation(let p): return p
        case .authorizationIDInvite(let p): return p
        case .verifySecurityPIN(let p): return p
        case .updateTime(let p): return p
        case .updateAuthorizationEntry(let p): return p
        case .authorizationEntryCount(let p): return p
        case .requestLogEntries(let p): return p
        case .logEntry(let p): return p
        case .logEntryCount(let p): return p
        case .enableLogging(let p): return p
        case .setAdvancedConfig(let p): return p
        case .requestAdvancedConfig(let p): return p
        case .advancedConfig(let p): return p
        case .addTimeControlEntry(let p): return p
        case .timeControlEntryID(let p): return p
        case .removeTimeControlEntry(let p): return p
        case .requestTimeControlEntries(let p): return p
        case .timeControlEntryCount(let p): return p
        case .timeControlEntry(let p): return p
        case .updateTimeControlEntry(let p): return p
        case .addKeypadCode(let p): return p
        case .keypadCodeID(let p): return p
        case .requestKeypadCodes(let p): return p
        case .keypadCodeCount(let p): return p
        case .keypadCode(let p): return p
        case .updateKeypadCode(let p): return p
        case .removeKeypadCode(let p): return p
        case .keypadAction(let p): return p
        case .authorizationInfo(let p): return p
        case .simpleLockAction(let p): return p
        }
    }

}
