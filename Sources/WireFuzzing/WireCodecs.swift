import LockWire

/// The encoders and decoders the harnesses drive, as values so a test can plant a faulty codec and
/// prove that an invariant fires. The fuzz entry points always use ``live``.
public struct WireCodecs: Sendable {
    /// Parses a whole plain frame (``LockWire/PlainFrame/decode(_:)-(ArraySlice<UInt8>)``).
    public var decodePlainFrame: @Sendable (ArraySlice<UInt8>) throws(WireError) -> PlainFrame
    /// Encodes a plain frame (``LockWire/PlainFrame/encoded()``).
    public var encodePlainFrame: @Sendable (PlainFrame) -> [UInt8]
    /// Decodes a payload by command (``LockWire/NukiMessage/decode(command:payload:context:)-(_,ArraySlice<UInt8>,_)``).
    public var decodeMessage: @Sendable (Command, ArraySlice<UInt8>, WireContext) throws(WireError) -> NukiMessage
    /// Encodes a message's payload (``LockWire/NukiMessage/encodedPayload()``).
    public var encodeMessage: @Sendable (NukiMessage) -> [UInt8]

    public init(
        decodePlainFrame: @escaping @Sendable (ArraySlice<UInt8>) throws(WireError) -> PlainFrame,
        encodePlainFrame: @escaping @Sendable (PlainFrame) -> [UInt8],
        decodeMessage: @escaping @Sendable (Command, ArraySlice<UInt8>, WireContext) throws(WireError) -> NukiMessage,
        encodeMessage: @escaping @Sendable (NukiMessage) -> [UInt8]
    ) {
        self.decodePlainFrame = decodePlainFrame
        self.encodePlainFrame = encodePlainFrame
        self.decodeMessage = decodeMessage
        self.encodeMessage = encodeMessage
    }

    /// LockWire's real codecs.
    public static let live = WireCodecs(
        decodePlainFrame: { (bytes: ArraySlice<UInt8>) throws(WireError) -> PlainFrame in try PlainFrame.decode(bytes) },
        encodePlainFrame: { $0.encoded() },
        decodeMessage: { (command: Command, payload: ArraySlice<UInt8>, context: WireContext) throws(WireError) -> NukiMessage in
            try NukiMessage.decode(command: command, payload: payload, context: context)
        },
        encodeMessage: { $0.encodedPayload() }
    )
}
