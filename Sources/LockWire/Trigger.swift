/// What triggered a lock action (u8), in Keyturner States and logs.
///
/// Source: Nuki BLE API 2.1 §"Lock action triggers", NukiBleEsp32; `docs/wire.md` §5.4.
public struct Trigger: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let system = Self(rawValue: 0x00)
    public static let manual = Self(rawValue: 0x01)
    public static let button = Self(rawValue: 0x02)
    public static let automatic = Self(rawValue: 0x03)
    public static let autoLock = Self(rawValue: 0x06)
    public static let homeKit = Self(rawValue: 0xAB)
    public static let mqtt = Self(rawValue: 0xAC)
    public static let undefined = Self(rawValue: 0xFF)

    public static let documented: [(code: Self, name: String)] = [
        (.system, "SYSTEM"),
        (.manual, "MANUAL"),
        (.button, "BUTTON"),
        (.automatic, "AUTOMATIC"),
        (.autoLock, "AUTO_LOCK"),
        (.homeKit, "HOMEKIT"),
        (.mqtt, "MQTT"),
        (.undefined, "UNDEFINED"),
    ]
}
