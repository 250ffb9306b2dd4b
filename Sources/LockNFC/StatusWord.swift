/// The two trailing bytes SW1 SW2 of a response APDU (ISO/IEC 7816-4 §5.6), big-endian as on the
/// ISO 7816 wire (unlike the Nuki wire).
///
/// Only the status words the Latchkey card application answers with are named.
public struct StatusWord: Hashable, Sendable, CustomStringConvertible {
    /// SW1 in the high byte, SW2 in the low byte (0x6A82 for 6A 82).
    public let rawValue: UInt16
    /// The status word SW1 SW2 = `rawValue` high byte, low byte.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The status word from its two bytes as they arrive, SW1 first.
    public init(sw1: UInt8, sw2: UInt8) { rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    /// The first status byte SW1 (high byte of ``rawValue``).
    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    /// The second status byte SW2 (low byte of ``rawValue``).
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }

    /// 90 00: normal processing.
    public static let success = Self(rawValue: 0x9000)
    /// 67 00: wrong length (Lc or Le).
    public static let wrongLength = Self(rawValue: 0x6700)
    /// 69 82: security status not satisfied (AUTHENTICATE before the application was selected).
    public static let securityStatusNotSatisfied = Self(rawValue: 0x6982)
    /// 69 83: authentication method blocked (the tap counter is exhausted; the card is dead).
    public static let authenticationBlocked = Self(rawValue: 0x6983)
    /// 6A 82: file or application not found (SELECT of another AID).
    public static let applicationNotFound = Self(rawValue: 0x6A82)
    /// 6A 86: incorrect parameters P1-P2.
    public static let incorrectP1P2 = Self(rawValue: 0x6A86)
    /// 6D 00: instruction not supported.
    public static let instructionNotSupported = Self(rawValue: 0x6D00)
    /// 6E 00: class not supported.
    public static let classNotSupported = Self(rawValue: 0x6E00)

    /// Four uppercase hex digits, SW1 then SW2, e.g. `6A82`.
    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
