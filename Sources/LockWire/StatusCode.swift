/// The status byte of Status (0x000E).
///
/// Source: Nuki BLE API 2.1 §"Status codes", `docs/wire.md` §5.7.
public struct StatusCode: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let complete = Self(rawValue: 0x00)
    public static let accepted = Self(rawValue: 0x01)

    public static let documented: [(code: Self, name: String)] = [
        (.complete, "COMPLETE"),
        (.accepted, "ACCEPTED"),
    ]
}
