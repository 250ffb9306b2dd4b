/// A response APDU (ISO/IEC 7816-4 §5.1): data followed by the status word SW1 SW2.
public struct ResponseAPDU: Hashable, Sendable {
    /// The response data field (empty for a bare status word).
    public var data: [UInt8]
    /// The trailing status word SW1-SW2.
    public var status: StatusWord

    /// A response of `data` (empty by default) and `status`.
    public init(data: [UInt8] = [], status: StatusWord) {
        self.data = data
        self.status = status
    }

    /// Splits `bytes` into data and status word; fewer than two bytes throw ``NFCError/Code/malformedAPDU``.
    public init(decoding bytes: [UInt8]) throws(NFCError) {
        guard bytes.count >= 2 else { throw NFCError(.malformedAPDU, "response APDU of \(bytes.count) bytes (status word needs 2)") }
        data = Array(bytes.dropLast(2))
        status = StatusWord(sw1: bytes[bytes.count - 2], sw2: bytes[bytes.count - 1])
    }

    /// The encoded bytes: data ‖ SW1 SW2.
    public var encoded: [UInt8] { data + [status.sw1, status.sw2] }
}
