/// One entry of a Read By Group Type Response (Bluetooth Core 5.4, Vol 3, Part F, §3.4.4.10).
///
/// ```
/// attribute handle u16 LE | end group handle u16 LE | value (Length − 4 octets)
/// ```
/// All entries of one response have the same length, stated once in the response's Length octet.
public struct ATTGroupData: Hashable, Sendable {
    /// The handle of the grouping attribute (e.g. a Primary Service declaration).
    public var handle: UInt16
    /// The last handle of the group.
    public var endGroupHandle: UInt16
    /// The attribute value (at most 251 octets, since Length is one octet).
    public var value: [UInt8]

    /// An entry; values of one response must share a length (see ``ATTPDU/readByGroupTypeResponse(_:)``).
    public init(handle: UInt16, endGroupHandle: UInt16, value: [UInt8]) {
        self.handle = handle
        self.endGroupHandle = endGroupHandle
        self.value = value
    }
}
