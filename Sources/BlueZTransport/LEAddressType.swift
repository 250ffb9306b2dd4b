/// The type of an LE device address: public (an IEEE-assigned identity) or random (static or
/// private) (Bluetooth Core 5.4, Vol 6, Part B, §1.3).
///
/// The same two types travel with two encodings: the kernel's `sockaddr_l2.l2_bdaddr_type`
/// (`BDADDR_LE_PUBLIC` 0x01, `BDADDR_LE_RANDOM` 0x02; 0x00 is BR/EDR) and HCI's address type
/// parameters (public 0x00, random 0x01; in advertising reports also 0x02/0x03 for the public or
/// random identity address behind a resolved private address; Vol 4, Part E, §7.7.65.2).
public enum LEAddressType: Hashable, Sendable, CustomStringConvertible {
    /// A public device address.
    case `public`
    /// A random device address (static, or resolvable/non-resolvable private).
    case random

    /// `BDADDR_LE_PUBLIC` (0x01) or `BDADDR_LE_RANDOM` (0x02), for `sockaddr_l2.l2_bdaddr_type`.
    public var socketValue: UInt8 {
        switch self {
        case .public: return 0x01
        case .random: return 0x02
        }
    }

    /// 0x00 public or 0x01 random, for HCI command parameters (Own_Address_Type and the like).
    public var hciValue: UInt8 {
        switch self {
        case .public: return 0x00
        case .random: return 0x01
        }
    }

    /// From `sockaddr_l2.l2_bdaddr_type`; `nil` for BR/EDR (0x00) or anything unknown.
    public init?(socketValue: UInt8) {
        switch socketValue {
        case 0x01: self = .public
        case 0x02: self = .random
        default: return nil
        }
    }

    /// From an HCI advertising report's Address_Type: 0x00/0x02 public (identity), 0x01/0x03
    /// random (identity); `nil` otherwise (e.g. 0xFF anonymous).
    public init?(hciValue: UInt8) {
        switch hciValue {
        case 0x00, 0x02: self = .public
        case 0x01, 0x03: self = .random
        default: return nil
        }
    }

    /// `public` or `random`.
    public var description: String {
        switch self {
        case .public: return "public"
        case .random: return "random"
        }
    }
}
