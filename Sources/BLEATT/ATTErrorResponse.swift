/// The parameters of an Error Response (Bluetooth Core 5.4, Vol 3, Part F, §3.4.1.1).
///
/// ```
/// 01 | request opcode in error u8 | attribute handle in error u16 LE | error code u8   (5 octets)
/// ```
/// The handle is 0x0000 when the request has none, or for Invalid PDU and Request Not Supported (§3.3).
public struct ATTErrorResponse: Hashable, Sendable {
    /// The opcode of the request that failed, as received (it may be undefined).
    public var requestOpcode: ATTOpcode
    /// The attribute handle that caused the error, or 0x0000.
    public var handle: UInt16
    /// Why the request failed.
    public var error: ATTErrorCode

    /// The three parameters in wire order.
    public init(requestOpcode: ATTOpcode, handle: UInt16, error: ATTErrorCode) {
        self.requestOpcode = requestOpcode
        self.handle = handle
        self.error = error
    }
}
