/// The Nuki state (u8), byte 0 of Keyturner States.
///
/// Source: Nuki BLE API 2.1 §"Nuki States", `docs/wire.md` §5.1.
public struct NukiState: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let uninitialized = Self(rawValue: 0x00)
    public static let pairingMode = Self(rawValue: 0x01)
    public static let doorMode = Self(rawValue: 0x02)
    public static let continuousMode = Self(rawValue: 0x03)
    public static let maintenanceMode = Self(rawValue: 0x04)

    public static let documented: [(code: Self, name: String)] = [
        (.uninitialized, "UNINITIALIZED"),
        (.pairingMode, "PAIRING_MODE"),
        (.doorMode, "DOOR_MODE"),
        (.continuousMode, "CONTINUOUS_MODE"),
        (.maintenanceMode, "MAINTENANCE_MODE"),
    ]
}
