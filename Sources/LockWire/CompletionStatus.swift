/// The completion status of a lock action (u8), in Keyturner States byte 17 and log entries.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Lock action completion status", `docs/wire.md` §8.
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
    /// Latchkey extension (README §"NFC fob extension"), log entries of NFC Keypad Actions only;
    /// 0xE8–0xEB sit after the documented 0xE0/0xE1 and before 0xFE, where no Nuki status is defined.
    /// The card is not authentic: unknown or revoked credential, UID only, authenticator wrong.
    public static let nfcNotAuthentic = Self(rawValue: 0xE8)
    /// The card's counter is not above the highest one accepted (replay or rollback).
    public static let nfcCounterNotIncreasing = Self(rawValue: 0xE9)
    /// The answer came later after the challenge than the lock's NFC time budget allows (relay).
    public static let nfcTooSlow = Self(rawValue: 0xEA)
    /// The credential's authorization is disabled or outside its time window.
    public static let nfcNotAllowedNow = Self(rawValue: 0xEB)
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
        (.nfcNotAuthentic, "NFC_NOT_AUTHENTIC_LATCHKEY"),
        (.nfcCounterNotIncreasing, "NFC_COUNTER_NOT_INCREASING_LATCHKEY"),
        (.nfcTooSlow, "NFC_TOO_SLOW_LATCHKEY"),
        (.nfcNotAllowedNow, "NFC_NOT_ALLOWED_NOW_LATCHKEY"),
        (.otherError, "OTHER_ERROR"),
        (.unknown, "UNKNOWN"),
    ]
}
