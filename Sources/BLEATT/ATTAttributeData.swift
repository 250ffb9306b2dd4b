/// One Handle/Value pair of a Read By Type Response (Bluetooth Core 5.4, Vol 3, Part F, §3.4.4.2).
///
/// ```
/// handle u16 LE | value (Length − 2 octets)
/// ```
/// All pairs of one response have the same length, stated once in the response's Length octet.
public struct ATTAttributeData: Hashable, Sendable {
    /// The attribute handle.
    public var handle: UInt16
    /// The attribute value (at most 253 octets, since Length is one octet).
    public var value: [UInt8]

    /// A pair; values of one response must share a length (see ``ATTPDU/readByTypeResponse(_:)``).
    public init(handle: UInt16, value: [UInt8]) {
        self.handle = handle
        self.value = value
    }
}
