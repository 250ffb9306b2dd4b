/// The Characteristic Properties octet of a characteristic declaration (Bluetooth Core 5.4,
/// Vol 3, Part G, §3.3.1.1, Table 3.6): which procedures a client may use on the value.
///
/// ```
/// bit 0 0x01 Broadcast            bit 4 0x10 Notify
/// bit 1 0x02 Read                 bit 5 0x20 Indicate
/// bit 2 0x04 Write Without Resp.  bit 6 0x40 Authenticated Signed Writes
/// bit 3 0x08 Write                bit 7 0x80 Extended Properties
/// ```
/// Every octet is representable: a peer's declaration is taken as received.
public struct GATTCharacteristicProperties: OptionSet, Hashable, Sendable {
    /// The properties octet.
    public let rawValue: UInt8
    /// Any octet.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x01: the value may be broadcast in advertising (Server Characteristic Configuration).
    public static let broadcast = Self(rawValue: 0x01)
    /// 0x02: Read Request / Read Blob Request allowed.
    public static let read = Self(rawValue: 0x02)
    /// 0x04: Write Command allowed.
    public static let writeWithoutResponse = Self(rawValue: 0x04)
    /// 0x08: Write Request and Prepare/Execute Write (long write) allowed.
    public static let write = Self(rawValue: 0x08)
    /// 0x10: Handle Value Notifications; requires a CCCD.
    public static let notify = Self(rawValue: 0x10)
    /// 0x20: Handle Value Indications; requires a CCCD.
    public static let indicate = Self(rawValue: 0x20)
    /// 0x40: Signed Write Command allowed.
    public static let authenticatedSignedWrites = Self(rawValue: 0x40)
    /// 0x80: a Characteristic Extended Properties descriptor follows.
    public static let extendedProperties = Self(rawValue: 0x80)
}
