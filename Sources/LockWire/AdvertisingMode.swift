/// Advertising mode (u8) in Config.
///
/// Source: Nuki BLE API 2.1 §"Config", `docs/wire.md` §5.8.
public struct AdvertisingMode: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let automatic = Self(rawValue: 0x00)
    public static let normal = Self(rawValue: 0x01)
    public static let slow = Self(rawValue: 0x02)
    public static let slowest = Self(rawValue: 0x03)

    public static let documented: [(code: Self, name: String)] = [
        (.automatic, "AUTOMATIC"),
        (.normal, "NORMAL"),
        (.slow, "SLOW"),
        (.slowest, "SLOWEST"),
    ]
}
