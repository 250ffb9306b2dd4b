/// Joins the fragments of Nuki messages into whole frames, with caps on buffered bytes and on the
/// number of fragments.
///
/// Two ways in:
/// - ``append(_:)``: chunks in order, as indications of MTU − 3 bytes (`docs/wire.md` §1.2) or plain
///   writes split by a client. The end of a frame is found from its layout: an encrypted frame's
///   length field (§2.2), or a pairing message's fixed payload size by command id (§2.1, §4).
/// - ``write(_:offset:)`` then ``assemble()``: offset-addressed fragments, as ATT Prepare Write
///   requests before Execute Write; later writes win where fragments overlap, and a gap is an error.
///
/// Any error empties the buffer, so a bad fragment never poisons the next message (security case
/// P-07). Expiring a partial frame after a timeout is the caller's: it calls ``reset()``.
public struct FragmentReassembler: Sendable {
    /// Which frame layout the channel carries.
    public enum Framing: Sendable {
        /// Unencrypted messages of the pairing GDIO (and plaintext keyturner GDIO errors).
        case plain
        /// Encrypted messages of the keyturner USDIO.
        case encrypted
    }

    public let framing: Framing
    public let maxBytes: Int
    public let maxFragments: Int

    private var buffer: [UInt8] = []
    private var fragmentCount = 0
    private var pieces: [(offset: Int, bytes: [UInt8])] = []
    private var pieceBytes = 0

    /// Caps can be lowered below the defaults, not raised: values are clamped to
    /// 0…``WireLimits/maxReassembledBytes`` and 0…``WireLimits/maxFragments``.
    public init(framing: Framing, maxBytes: Int = WireLimits.maxReassembledBytes, maxFragments: Int = WireLimits.maxFragments) {
        self.framing = framing
        self.maxBytes = min(max(maxBytes, 0), WireLimits.maxReassembledBytes)
        self.maxFragments = min(max(maxFragments, 0), WireLimits.maxFragments)
    }

    /// Bytes held for an incomplete frame (sequential and offset-addressed together).
    public var bufferedByteCount: Int { buffer.count + pieceBytes }
    /// True when nothing is buffered.
    public var isIdle: Bool { buffer.isEmpty && pieces.isEmpty }

    /// Drops anything buffered.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        fragmentCount = 0
        pieces.removeAll()
        pieceBytes = 0
    }

    /// Adds the next chunk and returns every frame it completes, in order (usually none or one).
    ///
    /// Throws `reassemblyLimit` past ``maxBytes`` or ``maxFragments``, `lengthOutOfRange` for an
    /// encrypted length field outside its limits, `unknownCommand` for a plain command whose size
    /// is not fixed; the buffer is emptied first.
    public mutating func append(_ chunk: ArraySlice<UInt8>) throws(WireError) -> [[UInt8]] {
        guard !chunk.isEmpty else { return [] }
        fragmentCount += 1
        guard fragmentCount + pieces.count <= maxFragments else {
            reset()
            throw WireError(.reassemblyLimit, "reassembly: more than \(maxFragments) fragments")
        }
#if BUGBENCH_UNBOUNDED_REASSEMBLY
        // (bugbench UNBOUNDED_REASSEMBLY: the check after #else is left out)
#else
        guard bufferedByteCount + chunk.count <= maxBytes else {
            reset()
            throw WireError(.reassemblyLimit, "reassembly: more than \(maxBytes) bytes buffered")
        }
#endif
        if buffer.isEmpty {
            // Fast path: a chunk that is exactly one whole frame (one indication at a large MTU).
            let length: Int?
            do {
                length = try Self.frameLength(of: chunk, framing: framing)
            } catch {
                reset()
                throw error
            }
            if length == chunk.count {
                fragmentCount = 0
                return [Array(chunk)]
            }
        }
        buffer.append(contentsOf: chunk)
        var frames: [[UInt8]] = []
        while let length = try frameLength(), buffer.count >= length {
            frames.append(Array(buffer[..<length]))
            buffer.removeFirst(length)
            fragmentCount = buffer.isEmpty ? 0 : 1
        }
        return frames
    }

    public mutating func append(_ chunk: [UInt8]) throws(WireError) -> [[UInt8]] {
        try append(chunk[...])
    }

    /// The whole length of the frame at the head of the buffer, once enough of it is there to tell;
    /// an error empties the buffer.
    private mutating func frameLength() throws(WireError) -> Int? {
        do {
            return try Self.frameLength(of: buffer[...], framing: framing)
        } catch {
            reset()
            throw error
        }
    }

    /// The whole length of the frame that `head` starts, or nil when `head` is too short to tell:
    /// an encrypted frame's length field (checked against its limits), a plain frame's fixed size
    /// by command id.
    static func frameLength(of head: ArraySlice<UInt8>, framing: Framing) throws(WireError) -> Int? {
        switch framing {
        case .encrypted:
            guard head.count >= EncryptedFrame.headerBytes else { return nil }
            let start = head.startIndex + EncryptedFrame.headerBytes - 2
            var reader = WireReader(head[start..<(start + 2)], context: "reassembly")
            let length = try reader.checkedLength(try reader.readUInt16("message length"), limit: WireLimits.maxCiphertextBytes, "message length")
            guard length >= EncryptedFrame.minCiphertextBytes else {
                throw WireError(.lengthOutOfRange, "reassembly: message length \(length) is below \(EncryptedFrame.minCiphertextBytes)")
            }
            return EncryptedFrame.headerBytes + length
        case .plain:
            guard head.count >= 2 else { return nil }
            var reader = WireReader(head.prefix(2), context: "reassembly")
            let command = Command(rawValue: try reader.readUInt16("command id"))
            guard let size = FragmentReassembler.plainPayloadSize(command) else {
                throw WireError(.unknownCommand, "reassembly: plain command \(command) has no fixed size")
            }
            return PlainFrame.overheadBytes + size
        }
    }

    /// Payload size of each message that travels unencrypted on the pairing GDIO (§3.1, §3.4, §4).
    public static func plainPayloadSize(_ command: Command) -> Int? {
        switch command {
        case .requestData: return 2
        case .publicKey, .challenge, .authorizationAuthenticator: return Bytes32.byteCount
        case .authorizationData: return AuthorizationData.byteCount
        case .authorizationID: return AuthorizationID.byteCount
        case .authorizationIDConfirmation: return AuthorizationIDConfirmation.byteCount
        case .status, .authorizationInfo: return 1
        case .errorReport: return 3
        default: return nil
        }
    }

    /// Stores an offset-addressed fragment (ATT Prepare Write). Throws `reassemblyLimit` when the
    /// fragment would end past ``maxBytes``, or everything buffered (both ways in together) would
    /// exceed ``maxFragments`` or ``maxBytes``; the buffer is emptied first.
    public mutating func write(_ fragment: ArraySlice<UInt8>, offset: Int) throws(WireError) {
        guard offset >= 0, offset <= maxBytes, fragment.count <= maxBytes - offset else {
            reset()
            throw WireError(.reassemblyLimit, "reassembly: fragment at offset \(offset) ends past \(maxBytes)")
        }
        guard pieces.count + fragmentCount < maxFragments, bufferedByteCount + fragment.count <= maxBytes else {
            reset()
            throw WireError(.reassemblyLimit, "reassembly: prepared fragments exceed \(maxFragments) or \(maxBytes) bytes")
        }
        pieces.append((offset, Array(fragment)))
        pieceBytes += fragment.count
    }

    public mutating func write(_ fragment: [UInt8], offset: Int) throws(WireError) {
        try write(fragment[...], offset: offset)
    }

    /// Joins the offset-addressed fragments into one value (ATT Execute Write) and empties the buffer.
    /// Throws `truncated` when the fragments leave a gap (the value is incomplete).
    public mutating func assemble() throws(WireError) -> [UInt8] {
        defer { reset() }
        let end = pieces.map { $0.offset + $0.bytes.count }.max() ?? 0
        var value = [UInt8](repeating: 0, count: end)
        var covered = [Bool](repeating: false, count: end)
        for piece in pieces {
            for (i, byte) in piece.bytes.enumerated() {
                value[piece.offset + i] = byte
                covered[piece.offset + i] = true
            }
        }
        if let gap = covered.firstIndex(of: false) {
            throw WireError(.truncated, "reassembly: no fragment covers offset \(gap)")
        }
        return value
    }
}
