/// The action byte of Keypad Action (0x0048): intelligent, unlock, lock, unlatch, lock'n'go.
///
/// Source: Nuki BLE API 2.1 §"Keypad Action", `docs/wire.md` §4.
public struct KeypadLockAction: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let intelligent = Self(rawValue: 0x00)
    public static let unlock = Self(rawValue: 0x01)
    public static let lock = Self(rawValue: 0x02)
    public static let unlatch = Self(rawValue: 0x03)
    public static let lockNGo = Self(rawValue: 0x04)

    public static let documented: [(code: Self, name: String)] = [
        (.intelligent, "INTELLIGENT"),
        (.unlock, "UNLOCK"),
        (.lock, "LOCK"),
        (.unlatch, "UNLATCH"),
        (.lockNGo, "LOCK_N_GO"),
    ]
}
