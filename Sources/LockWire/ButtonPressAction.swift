/// What a press of the lock's button does (Advanced Config single and double press action).
///
/// Source: Nuki BLE API 2.1 §"Advanced Config", `docs/wire.md` §5.9.
public struct ButtonPressAction: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let none = Self(rawValue: 0x00)
    public static let intelligent = Self(rawValue: 0x01)
    public static let unlock = Self(rawValue: 0x02)
    public static let lock = Self(rawValue: 0x03)
    public static let unlatch = Self(rawValue: 0x04)
    public static let lockNGo = Self(rawValue: 0x05)
    public static let showStatus = Self(rawValue: 0x06)

    public static let documented: [(code: Self, name: String)] = [
        (.none, "NO_ACTION"),
        (.intelligent, "INTELLIGENT"),
        (.unlock, "UNLOCK"),
        (.lock, "LOCK"),
        (.unlatch, "UNLATCH"),
        (.lockNGo, "LOCK_N_GO"),
        (.showStatus, "SHOW_STATUS"),
    ]
}
