/// The ID type of a paired client (u8): App, Bridge, Fob, Keypad; 4 and 5 appear only in the
/// Request Authorization Entries filter.
///
/// Source: Nuki BLE API 2.1 §"ID types", 2.3.0; `docs/wire.md` §3.3.
public struct IDType: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let app = Self(rawValue: 0x00)
    public static let bridge = Self(rawValue: 0x01)
    public static let fob = Self(rawValue: 0x02)
    public static let keypad = Self(rawValue: 0x03)
    public static let doorSensor = Self(rawValue: 0x04)
    public static let keypad2 = Self(rawValue: 0x05)

    public static let documented: [(code: Self, name: String)] = [
        (.app, "APP"),
        (.bridge, "BRIDGE"),
        (.fob, "FOB"),
        (.keypad, "KEYPAD"),
        (.doorSensor, "DOOR_SENSOR"),
        (.keypad2, "KEYPAD_2"),
    ]

    /// The ID types a client may pair as (Authorization Data 0x0006): app, bridge, fob, keypad.
    public var isPairable: Bool { rawValue <= 3 }
}
