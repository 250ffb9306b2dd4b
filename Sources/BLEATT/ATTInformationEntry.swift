/// One Handle/UUID pair of a Find Information Response (Bluetooth Core 5.4, Vol 3, Part F,
/// §3.4.3.2).
///
/// ```
/// Format 0x01: handle u16 LE | UUID 2 octets LE    (4 octets per pair)
/// Format 0x02: handle u16 LE | UUID 16 octets LE   (18 octets per pair)
/// ```
public struct ATTInformationEntry: Hashable, Sendable {
    /// The attribute handle.
    public var handle: UInt16
    /// The attribute type.
    public var type: ATTUUID

    /// A pair of an attribute handle and its type.
    public init(handle: UInt16, type: ATTUUID) {
        self.handle = handle
        self.type = type
    }
}
