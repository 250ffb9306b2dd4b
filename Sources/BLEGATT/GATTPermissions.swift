/// Attribute permissions, a server-local property never sent on the wire (Bluetooth Core 5.4,
/// Vol 3, Part F, §3.2.5): whether the value may be read and written by a client.
///
/// A read of an attribute without ``read`` is answered with Read Not Permitted (0x02), a write of
/// one without ``write`` with Write Not Permitted (0x03) (Part F §3.4.4.3, §3.4.5.1, §3.4.6.1).
public struct GATTPermissions: OptionSet, Hashable, Sendable {
    /// The permission bits (local representation only).
    public let rawValue: UInt8
    /// Any bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Read Request, Read Blob Request, Read By Type may return the value.
    public static let read = Self(rawValue: 0x01)
    /// Write Request, Write Command and Prepare Write may change the value.
    public static let write = Self(rawValue: 0x02)
}
