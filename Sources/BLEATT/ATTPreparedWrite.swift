/// The parameters of a Prepare Write Request and of its echo, the Prepare Write Response
/// (Bluetooth Core 5.4, Vol 3, Part F, §3.4.6.1, §3.4.6.2); also one entry of the server's prepare
/// queue, written in order by an Execute Write Request (§3.4.6.3).
///
/// ```
/// handle u16 LE | value offset u16 LE | part attribute value (0 … ATT_MTU − 5 octets)
/// ```
public struct ATTPreparedWrite: Hashable, Sendable {
    /// The attribute to write. 0x0000 is never valid (§3.2.2).
    public var handle: UInt16
    /// Where in the attribute value `value` goes.
    public var offset: UInt16
    /// Part of the attribute value.
    public var value: [UInt8]

    /// The three parameters in wire order.
    public init(handle: UInt16, offset: UInt16, value: [UInt8]) {
        self.handle = handle
        self.offset = offset
        self.value = value
    }
}
