/// The error code of an Error Report (0x0012), a u8 (the spec says sint8; real values are 0x10–0xFF).
///
/// Source: Nuki BLE API 2.1 §"Error codes", 2.3.0 and Nuki's current docs (0x4E, 0x4F);
/// `docs/wire.md` §9 and §13.
public struct NukiErrorCode: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let badCRC = Self(rawValue: 0xFD)
    public static let badLength = Self(rawValue: 0xFE)
    public static let unknown = Self(rawValue: 0xFF)
    public static let notPairing = Self(rawValue: 0x10)
    public static let badAuthenticator = Self(rawValue: 0x11)
    public static let pairingBadParameter = Self(rawValue: 0x12)
    public static let maxUser = Self(rawValue: 0x13)
    public static let notAuthorized = Self(rawValue: 0x20)
    public static let badPIN = Self(rawValue: 0x21)
    public static let badNonce = Self(rawValue: 0x22)
    public static let badParameter = Self(rawValue: 0x23)
    public static let invalidAuthID = Self(rawValue: 0x24)
    public static let disabled = Self(rawValue: 0x25)
    public static let remoteNotAllowed = Self(rawValue: 0x26)
    public static let timeNotAllowed = Self(rawValue: 0x27)
    public static let tooManyPINAttempts = Self(rawValue: 0x28)
    public static let tooManyEntries = Self(rawValue: 0x29)
    public static let codeAlreadyExists = Self(rawValue: 0x2A)
    public static let codeInvalid = Self(rawValue: 0x2B)
    public static let codeInvalidTimeout1 = Self(rawValue: 0x2C)
    public static let codeInvalidTimeout2 = Self(rawValue: 0x2D)
    public static let codeInvalidTimeout3 = Self(rawValue: 0x2E)
    public static let autoUnlockTooRecent = Self(rawValue: 0x40)
    public static let positionUnknown = Self(rawValue: 0x41)
    public static let motorBlocked = Self(rawValue: 0x42)
    public static let clutchFailure = Self(rawValue: 0x43)
    public static let motorTimeout = Self(rawValue: 0x44)
    public static let busy = Self(rawValue: 0x45)
    public static let canceled = Self(rawValue: 0x46)
    public static let notCalibrated = Self(rawValue: 0x47)
    public static let motorPositionLimit = Self(rawValue: 0x48)
    public static let motorLowVoltage = Self(rawValue: 0x49)
    public static let motorPowerFailure = Self(rawValue: 0x4A)
    public static let clutchPowerFailure = Self(rawValue: 0x4B)
    public static let voltageTooLow = Self(rawValue: 0x4C)
    public static let firmwareUpdateNeeded = Self(rawValue: 0x4D)
    public static let rejected = Self(rawValue: 0x4E)
    public static let rejectedNightmode = Self(rawValue: 0x4F)

    public static let documented: [(code: Self, name: String)] = [
        (.badCRC, "ERROR_BAD_CRC"),
        (.badLength, "ERROR_BAD_LENGTH"),
        (.unknown, "ERROR_UNKNOWN"),
        (.notPairing, "P_ERROR_NOT_PAIRING"),
        (.badAuthenticator, "P_ERROR_BAD_AUTHENTICATOR"),
        (.pairingBadParameter, "P_ERROR_BAD_PARAMETER"),
        (.maxUser, "P_ERROR_MAX_USER"),
        (.notAuthorized, "K_ERROR_NOT_AUTHORIZED"),
        (.badPIN, "K_ERROR_BAD_PIN"),
        (.badNonce, "K_ERROR_BAD_NONCE"),
        (.badParameter, "K_ERROR_BAD_PARAMETER"),
        (.invalidAuthID, "K_ERROR_INVALID_AUTH_ID"),
        (.disabled, "K_ERROR_DISABLED"),
        (.remoteNotAllowed, "K_ERROR_REMOTE_NOT_ALLOWED"),
        (.timeNotAllowed, "K_ERROR_TIME_NOT_ALLOWED"),
        (.tooManyPINAttempts, "K_ERROR_TOO_MANY_PIN_ATTEMPTS"),
        (.tooManyEntries, "K_ERROR_TOO_MANY_ENTRIES"),
        (.codeAlreadyExists, "K_ERROR_CODE_ALREADY_EXISTS"),
        (.codeInvalid, "K_ERROR_CODE_INVALID"),
        (.codeInvalidTimeout1, "K_ERROR_CODE_INVALID_TIMEOUT_1"),
        (.codeInvalidTimeout2, "K_ERROR_CODE_INVALID_TIMEOUT_2"),
        (.codeInvalidTimeout3, "K_ERROR_CODE_INVALID_TIMEOUT_3"),
        (.autoUnlockTooRecent, "K_ERROR_AUTO_UNLOCK_TOO_RECENT"),
        (.positionUnknown, "K_ERROR_POSITION_UNKNOWN"),
        (.motorBlocked, "K_ERROR_MOTOR_BLOCKED"),
        (.clutchFailure, "K_ERROR_CLUTCH_FAILURE"),
        (.motorTimeout, "K_ERROR_MOTOR_TIMEOUT"),
        (.busy, "K_ERROR_BUSY"),
        (.canceled, "K_ERROR_CANCELED"),
        (.notCalibrated, "K_ERROR_NOT_CALIBRATED"),
        (.motorPositionLimit, "K_ERROR_MOTOR_POSITION_LIMIT"),
        (.motorLowVoltage, "K_ERROR_MOTOR_LOW_VOLTAGE"),
        (.motorPowerFailure, "K_ERROR_MOTOR_POWER_FAILURE"),
        (.clutchPowerFailure, "K_ERROR_CLUTCH_POWER_FAILURE"),
        (.voltageTooLow, "K_ERROR_VOLTAGE_TOO_LOW"),
        (.firmwareUpdateNeeded, "K_ERROR_FIRMWARE_UPDATE_NEEDED"),
        (.rejected, "K_ERROR_REJECTED"),
        (.rejectedNightmode, "K_ERROR_REJECTED_NIGHTMODE"),
    ]
}
