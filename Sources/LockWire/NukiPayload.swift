/// A typed payload of one Nuki command: the bytes between the command id and the CRC.
///
/// Decoders read with a ``WireReader`` and throw ``WireError``: `truncated` when bytes are missing,
/// `trailingBytes` when bytes are left after the layout (checked by ``init(payload:context:)``),
/// `badParameter` for out-of-range values. Encoders write the layout of the emulated model.
/// Every conforming type round-trips: `decode(encode(x)) == x` and `encode(decode(b)) == b`.
public protocol NukiPayload: Hashable, Sendable {
    /// The command id this payload travels under (Nuki BLE API 2.1 §"Commands").
    static var command: Command { get }
    /// Reads the payload's fields from `reader`; `context` gives the PIN width and pairing variant.
    init(from reader: inout WireReader, context: WireContext) throws(WireError)
    /// Appends the payload's fields.
    func encode(to writer: inout WireWriter)
}

extension NukiPayload {
    /// Decodes exactly `payload`, rejecting trailing bytes.
    public init(payload: ArraySlice<UInt8>, context: WireContext = .smartLock) throws(WireError) {
        var reader = WireReader(payload, context: Self.command.name ?? "payload")
        try self.init(from: &reader, context: context)
        try reader.finish()
    }

    public init(payload: [UInt8], context: WireContext = .smartLock) throws(WireError) {
        try self.init(payload: payload[...], context: context)
    }

    /// The payload bytes.
    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        encode(to: &writer)
        return writer.bytes
    }
}
