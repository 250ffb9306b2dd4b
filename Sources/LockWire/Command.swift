/// A command id (u16 little-endian), the first field of every Nuki message.
///
/// Source: Nuki BLE API 2.1 §"Commands" and 2.3.0, `docs/wire.md` §4. Only documented commands are
/// listed; undocumented ids seen in libraries (0x0029, 0x0049, …) decode as unknown.
public struct Command: WireCode, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let requestData = Command(rawValue: 0x0001)
    public static let publicKey = Command(rawValue: 0x0003)
    public static let challenge = Command(rawValue: 0x0004)
    public static let authorizationAuthenticator = Command(rawValue: 0x0005)
    public static let authorizationData = Command(rawValue: 0x0006)
    public static let authorizationID = Command(rawValue: 0x0007)
    public static let removeAuthorizationEntry = Command(rawValue: 0x0008)
    public static let requestAuthorizationEntries = Command(rawValue: 0x0009)
    public static let authorizationEntry = Command(rawValue: 0x000A)
    public static let authorizationDataInvite = Command(rawValue: 0x000B)
    public static let keyturnerStates = Command(rawValue: 0x000C)
    public static let lockAction = Command(rawValue: 0x000D)
    public static let status = Command(rawValue: 0x000E)
    public static let mostRecentCommand = Command(rawValue: 0x000F)
    public static let openingsClosingsSummary = Command(rawValue: 0x0010)
    public static let batteryReport = Command(rawValue: 0x0011)
    public static let errorReport = Command(rawValue: 0x0012)
    public static let setConfig = Command(rawValue: 0x0013)
    public static let requestConfig = Command(rawValue: 0x0014)
    public static let config = Command(rawValue: 0x0015)
    public static let setSecurityPIN = Command(rawValue: 0x0019)
    public static let requestCalibration = Command(rawValue: 0x001A)
    public static let requestReboot = Command(rawValue: 0x001D)
    public static let authorizationIDConfirmation = Command(rawValue: 0x001E)
    public static let authorizationIDInvite = Command(rawValue: 0x001F)
    public static let verifySecurityPIN = Command(rawValue: 0x0020)
    public static let updateTime = Command(rawValue: 0x0021)
    public static let updateAuthorizationEntry = Command(rawValue: 0x0025)
    public static let authorizationEntryCount = Command(rawValue: 0x0027)
    public static let requestLogEntries = Command(rawValue: 0x0031)
    public static let logEntry = Command(rawValue: 0x0032)
    public static let logEntryCount = Command(rawValue: 0x0033)
    public static let enableLogging = Command(rawValue: 0x0034)
    public static let setAdvancedConfig = Command(rawValue: 0x0035)
    public static let requestAdvancedConfig = Command(rawValue: 0x0036)
    public static let advancedConfig = Command(rawValue: 0x0037)
    public static let addTimeControlEntry = Command(rawValue: 0x0039)
    public static let timeControlEntryID = Command(rawValue: 0x003A)
    public static let removeTimeControlEntry = Command(rawValue: 0x003B)
    public static let requestTimeControlEntries = Command(rawValue: 0x003C)
    public static let timeControlEntryCount = Command(rawValue: 0x003D)
    public static let timeControlEntry = Command(rawValue: 0x003E)
    public static let updateTimeControlEntry = Command(rawValue: 0x003F)
    public static let addKeypadCode = Command(rawValue: 0x0041)
    public static let keypadCodeID = Command(rawValue: 0x0042)
    public static let requestKeypadCodes = Command(rawValue: 0x0043)
    public static let keypadCodeCount = Command(rawValue: 0x0044)
    public static let keypadCode = Command(rawValue: 0x0045)
    public static let updateKeypadCode = Command(rawValue: 0x0046)
    public static let removeKeypadCode = Command(rawValue: 0x0047)
    public static let keypadAction = Command(rawValue: 0x0048)
    public static let authorizationInfo = Command(rawValue: 0x004C)
    public static let simpleLockAction = Command(rawValue: 0x0100)

    public static let documented: [(code: Command, name: String)] = [
        (.requestData, "REQUEST_DATA"),
        (.publicKey, "PUBLIC_KEY"),
        (.challenge, "CHALLENGE"),
        (.authorizationAuthenticator, "AUTHORIZATION_AUTHENTICATOR"),
        (.authorizationData, "AUTHORIZATION_DATA"),
        (.authorizationID, "AUTHORIZATION_ID"),
        (.removeAuthorizationEntry, "REMOVE_AUTHORIZATION_ENTRY"),
        (.requestAuthorizationEntries, "REQUEST_AUTHORIZATION_ENTRIES"),
        (.authorizationEntry, "AUTHORIZATION_ENTRY"),
        (.authorizationDataInvite, "AUTHORIZATION_DATA_INVITE"),
        (.keyturnerStates, "KEYTURNER_STATES"),
        (.lockAction, "LOCK_ACTION"),
        (.status, "STATUS"),
        (.mostRecentCommand, "MOST_RECENT_COMMAND"),
        (.openingsClosingsSummary, "OPENINGS_CLOSINGS_SUMMARY"),
        (.batteryReport, "BATTERY_REPORT"),
        (.errorReport, "ERROR_REPORT"),
        (.setConfig, "SET_CONFIG"),
        (.requestConfig, "REQUEST_CONFIG"),
        (.config, "CONFIG"),
        (.setSecurityPIN, "SET_SECURITY_PIN"),
        (.requestCalibration, "REQUEST_CALIBRATION"),
        (.requestReboot, "REQUEST_REBOOT"),
        (.authorizationIDConfirmation, "AUTHORIZATION_ID_CONFIRMATION"),
        (.authorizationIDInvite, "AUTHORIZATION_ID_INVITE"),
        (.verifySecurityPIN, "VERIFY_SECURITY_PIN"),
        (.updateTime, "UPDATE_TIME"),
        (.updateAuthorizationEntry, "UPDATE_AUTHORIZATION_ENTRY"),
        (.authorizationEntryCount, "AUTHORIZATION_ENTRY_COUNT"),
        (.requestLogEntries, "REQUEST_LOG_ENTRIES"),
        (.logEntry, "LOG_ENTRY"),
        (.logEntryCount, "LOG_ENTRY_COUNT"),
        (.enableLogging, "ENABLE_LOGGING"),
        (.setAdvancedConfig, "SET_ADVANCED_CONFIG"),
        (.requestAdvancedConfig, "REQUEST_ADVANCED_CONFIG"),
        (.advancedConfig, "ADVANCED_CONFIG"),
        (.addTimeControlEntry, "ADD_TIME_CONTROL_ENTRY"),
        (.timeControlEntryID, "TIME_CONTROL_ENTRY_ID"),
        (.removeTimeControlEntry, "REMOVE_TIME_CONTROL_ENTRY"),
        (.requestTimeControlEntries, "REQUEST_TIME_CONTROL_ENTRIES"),
        (.timeControlEntryCount, "TIME_CONTROL_ENTRY_COUNT"),
        (.timeControlEntry, "TIME_CONTROL_ENTRY"),
        (.updateTimeControlEntry, "UPDATE_TIME_CONTROL_ENTRY"),
        (.addKeypadCode, "ADD_KEYPAD_CODE"),
        (.keypadCodeID, "KEYPAD_CODE_ID"),
        (.requestKeypadCodes, "REQUEST_KEYPAD_CODES"),
        (.keypadCodeCount, "KEYPAD_CODE_COUNT"),
        (.keypadCode, "KEYPAD_CODE"),
        (.updateKeypadCode, "UPDATE_KEYPAD_CODE"),
        (.removeKeypadCode, "REMOVE_KEYPAD_CODE"),
        (.keypadAction, "KEYPAD_ACTION"),
        (.authorizationInfo, "AUTHORIZATION_INFO"),
        (.simpleLockAction, "SIMPLE_LOCK_ACTION"),
    ]
}
