/// Daylight saving time mode (u8) in Config.
///
/// Source: Nuki BLE API 2.1 §"Config", `docs/wire.md` §5.8.
public struct DSTMode: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let off = Self(rawValue: 0x00)
    public static let european = Self(rawValue: 0x01)

    public static let documented: [(code: Self, name: String)] = [
        (.off, "DISABLED"),
        (.european, "EUROPEAN"),
    ]
}
