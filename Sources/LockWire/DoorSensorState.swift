/// Door sensor state (u8), byte 18 of Keyturner States. Values 0x01, 0x04 and 0x05 are
/// Smart Lock 1.0–2.0; 0x10, 0xF0 and 0xFF are Smart Lock 3.0 and later.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Door sensor states", `docs/wire.md` §5.5.
public struct DoorSensorState: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unavailable = Self(rawValue: 0x00)
    public static let deactivated = Self(rawValue: 0x01)
    public static let closed = Self(rawValue: 0x02)
    public static let opened = Self(rawValue: 0x03)
    public static let stateUnknown = Self(rawValue: 0x04)
    public static let calibrating = Self(rawValue: 0x05)
    public static let uncalibrated = Self(rawValue: 0x10)
    public static let tampered = Self(rawValue: 0xF0)
    public static let unknown = Self(rawValue: 0xFF)

    public static let documented: [(code: Self, name: String)] = [
        (.unavailable, "UNAVAILABLE"),
        (.deactivated, "DEACTIVATED"),
        (.closed, "DOOR_CLOSED"),
        (.opened, "DOOR_OPENED"),
        (.stateUnknown, "DOOR_STATE_UNKNOWN"),
        (.calibrating, "CALIBRATING"),
        (.uncalibrated, "UNCALIBRATED"),
        (.tampered, "TAMPERED"),
        (.unknown, "UNKNOWN"),
    ]
}
