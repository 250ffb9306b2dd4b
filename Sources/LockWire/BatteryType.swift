/// Battery type (u8) in Advanced Config.
///
/// Source: Nuki BLE API 2.1 §"Advanced Config", `docs/wire.md` §5.9.
public struct BatteryType: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let alkali = Self(rawValue: 0x00)
    public static let accumulators = Self(rawValue: 0x01)
    public static let lithium = Self(rawValue: 0x02)

    public static let documented: [(code: Self, name: String)] = [
        (.alkali, "ALKALI"),
        (.accumulators, "ACCUMULATORS"),
        (.lithium, "LITHIUM"),
    ]
}
