/// What a fob press does, as set by Config fob action 1–3 (u8 each).
///
/// Source: Nuki BLE API 2.1 §"Set Config" (fob actions), `docs/wire.md` §5.3.
public struct FobAction: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let none = Self(rawValue: 0x00)
    public static let unlock = Self(rawValue: 0x01)
    public static let lock = Self(rawValue: 0x02)
    public static let lockNGo = Self(rawValue: 0x03)
    public static let intelligent = Self(rawValue: 0x04)

    public static let documented: [(code: Self, name: String)] = [
        (.none, "NO_ACTION"),
        (.unlock, "UNLOCK"),
        (.lock, "LOCK"),
        (.lockNGo, "LOCK_N_GO"),
        (.intelligent, "INTELLIGENT"),
    ]
}
