/// The completion status of a lock action (u8), in Keyturner States byte 17 and log entries.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Lock action completion status", `protocol.md` §8.
public struct CompletionStatus: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let success = Self(rawValue: 0x00)
    public static let motorBlocked = Self(rawValue: 0x01)
    public static let canceled = Self(rawValue: 0x02)
    public static let tooRecent = Self(rawValue: 0x03)
    public static let busy = Self(rawValue: 0x04)
    public static let lowMotorVoltage = Self(rawValue: 0x05)
    public static let clutchFailure = Self(rawValue: 0x06)
    public static let motorPowerFailure = Self(rawValue: 0x07)
    public static let incomplete = Self(rawValue: 0x08)
    public static let rejected = Self(rawValue: 0x09)
    public static let rejectedNightmode = Self(rawValue: 0x0A)
    public static let handleNotLifted = Self(rawValue: 0x0B)
    public static let invalidCode = Self(rawValue: 0xE0)
    public static let invalidFingerprint = Self(rawValue: 0xE1)
    public static let otherError = Self(rawValue: 0xFE)
    public static let unknown = Self(rawValue: 0xFF)

    public static let documented: [(code: Self, name: String)] = [
        (.success, "SUCCESS"),
        (.motorBlocked, "MOTOR_BLOCKED"),
        (.canceled, "CANCELED"),
        (.tooRecent, "TOO_RECENT"),
        (.busy, "BUSY"),
        (.lowMotorVoltage, "LOW_MOTOR_VOLTAGE"),
        (.clutchFailure, "CLUTCH_FAILURE"),
        (.motorPowerFailure, "MOTOR_POWER_FAILURE"),
        (.incomplete, "INCOMPLETE"),
        (.rejected, "REJECTED"),
        (.rejectedNightmode, "REJECTED_NIGHTMODE"),
        (.handleNotLifted, "HANDLE_NOT_LIFTED"),
        (.invalidCode, "INVALID_CODE"),
        (.invalidFingerprint, "INVALID_FINGERPRINT"),
        (.otherError, "OTHER_ERROR"),
        (.unknown, "UNKNOWN"),
    ]
}
