/// A Smart Lock lock action (u8): the action byte of Lock Action (0x000D) and the
/// last-lock-action fields of Keyturner States and logs. 0x81–0x83 are the fob actions, mapped by
/// Config fob action 1–3; 0x50 and 0x5A appear only in reports.
///
/// Source: Nuki BLE API 2.1 §"Lock Actions", `docs/wire.md` §5.3.
public struct LockAction: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unlock = Self(rawValue: 0x01)
    public static let lock = Self(rawValue: 0x02)
    public static let unlatch = Self(rawValue: 0x03)
    public static let lockNGo = Self(rawValue: 0x04)
    public static let lockNGoWithUnlatch = Self(rawValue: 0x05)
    public static let fullLock = Self(rawValue: 0x06)
    public static let fobNoAction = Self(rawValue: 0x50)
    public static let buttonNoAction = Self(rawValue: 0x5A)
    public static let fobAction1 = Self(rawValue: 0x81)
    public static let fobAction2 = Self(rawValue: 0x82)
    public static let fobAction3 = Self(rawValue: 0x83)

    public static let documented: [(code: Self, name: String)] = [
        (.unlock, "UNLOCK"),
        (.lock, "LOCK"),
        (.unlatch, "UNLATCH"),
        (.lockNGo, "LOCK_N_GO"),
        (.lockNGoWithUnlatch, "LOCK_N_GO_UNLATCH"),
        (.fullLock, "FULL_LOCK"),
        (.fobNoAction, "FOB_NO_ACTION"),
        (.buttonNoAction, "BUTTON_NO_ACTION"),
        (.fobAction1, "FOB_ACTION_1"),
        (.fobAction2, "FOB_ACTION_2"),
        (.fobAction3, "FOB_ACTION_3"),
    ]

    /// The values a client may request in Lock Action (0x000D): 0x01–0x06 and 0x81–0x83.
    public var isRequestable: Bool { (0x01...0x06).contains(rawValue) || (0x81...0x83).contains(rawValue) }
}
