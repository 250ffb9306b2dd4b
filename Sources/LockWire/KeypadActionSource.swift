/// The source byte of Keypad Action (0x0048) and keypad log entries: back/arrow key, typed
/// code, or fingerprint (Keypad 2.0), and Latchkey's NFC card (0x80, our extension).
///
/// Source: Nuki BLE API 2.1 §"Keypad Action", NukiBleEsp32; `docs/wire.md` §4 and §8.
public struct KeypadActionSource: WireCode, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let backKey = Self(rawValue: 0x00)
    public static let code = Self(rawValue: 0x01)
    public static let fingerprint = Self(rawValue: 0x02)
    /// Latchkey extension (README §"NFC fob extension"): a fob's NFC card answered the lock's
    /// challenge at the keypad's reader. 0x80 is far from the documented 0, 1, 2 (`docs/wire.md` §4),
    /// so it cannot collide with a future Nuki source; the request carries ``KeypadNFCEvidence``.
    public static let nfc = Self(rawValue: 0x80)

    public static let documented: [(code: Self, name: String)] = [
        (.backKey, "ARROW_KEY"),
        (.code, "CODE"),
        (.fingerprint, "FINGERPRINT"),
        (.nfc, "NFC_LATCHKEY"),
    ]
}
