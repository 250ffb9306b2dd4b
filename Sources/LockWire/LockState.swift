/// The Smart Lock's lock state (u8), byte 1 of Keyturner States.
///
/// Source: Nuki BLE API 2.1 §"Lock States", `docs/wire.md` §5.2.
public struct LockState: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let uncalibrated = Self(rawValue: 0x00)
    public static let locked = Self(rawValue: 0x01)
    public static let unlocking = Self(rawValue: 0x02)
    public static let unlocked = Self(rawValue: 0x03)
    public static let locking = Self(rawValue: 0x04)
    public static let unlatched = Self(rawValue: 0x05)
    public static let unlockedLockNGo = Self(rawValue: 0x06)
    public static let unlatching = Self(rawValue: 0x07)
    public static let calibration = Self(rawValue: 0xFC)
    public static let bootRun = Self(rawValue: 0xFD)
    public static let motorBlocked = Self(rawValue: 0xFE)
    public static let undefined = Self(rawValue: 0xFF)

    public static let documented: [(code: Self, name: String)] = [
        (.uncalibrated, "UNCALIBRATED"),
        (.locked, "LOCKED"),
        (.unlocking, "UNLOCKING"),
        (.unlocked, "UNLOCKED"),
        (.locking, "LOCKING"),
        (.unlatched, "UNLATCHED"),
        (.unlockedLockNGo, "UNLOCKED_LOCK_N_GO"),
        (.unlatching, "UNLATCHING"),
        (.calibration, "CALIBRATION"),
        (.bootRun, "BOOT_RUN"),
        (.motorBlocked, "MOTOR_BLOCKED"),
        (.undefined, "UNDEFINED"),
    ]
}
