import LockWire

/// Target 4: ``LockWire/FragmentReassembler``, both ways in: sequential chunks (indications, split
/// writes) and offset-addressed fragments (ATT Prepare Write + Execute Write).
///
/// Input shape (``headerBytes`` = 2): `split (u8) ‖ caps (u8) ‖ stream`.
/// - `split` bit 0: framing, 0 ``LockWire/FragmentReassembler/Framing/plain``, 1 `encrypted`.
///   Bits 1–2: chunk sizes, 0 byte by byte, 1 twenty bytes (MTU 23 − 3), 2 pseudo-random 1–64,
///   3 pseudo-random 1–300. Bits 3–7 seed the pseudo-random sizes and the order of prepared writes
///   (a fixed xorshift, no system randomness).
/// - `caps` in 1...31: a reassembler capped at `caps × 20` bytes and `caps × 2` fragments (never above
///   the defaults from ``LockWire/WireLimits``), to reach the caps with short inputs; any other value
///   keeps the defaults.
/// - `stream`: the bytes on the characteristic, fed once whole and once in chunks.
///
/// Invariants:
/// - `buffer-within-cap`: ``LockWire/FragmentReassembler/bufferedByteCount`` never exceeds `maxBytes`;
/// - `error-empties-buffer`: after any thrown error the reassembler is idle;
/// - `byte-cap-enforced`: one chunk larger than `maxBytes` is refused with `reassemblyLimit`;
/// - `frames-are-stream-prefix`: the frames delivered, joined, are a prefix of the stream, and with the
///   bytes still buffered they account for every byte fed (nothing lost or invented);
/// - `frame-size`: a plain frame has the fixed size of its command, an encrypted frame is a valid envelope;
/// - `split-equals-unsplit`: when the stream fits the caps, feeding it in chunks gives the same frames,
///   the same leftover and the same first error code as feeding it whole;
/// - `prepared-writes-reassemble`: the stream written as shuffled offset fragments assembles to itself.
public enum ReassemblyHarness {
    /// Split byte + caps byte.
    public static let headerBytes = 2

    /// What one feeding produced.
    public struct Outcome: Equatable, Sendable {
        /// Frames delivered, in order.
        public var frames: [[UInt8]]
        /// Bytes still buffered after the last chunk (0 after an error).
        public var buffered: Int
        /// Code of the first error, after which feeding stopped.
        public var error: WireError.Code?

        public init(frames: [[UInt8]], buffered: Int, error: WireError.Code?) {
            self.frames = frames
            self.buffered = buffered
            self.error = error
        }
    }

    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        guard input.count >= headerBytes else { return nil }
        let split = input[input.startIndex]
        let caps = input[input.startIndex + 1]
        let stream = input.dropFirst(headerBytes)
        let framing: FragmentReassembler.Framing = split & 1 == 0 ? .plain : .encrypted
        let small = (1...31).contains(caps)
        var whole = FragmentReassembler(
            framing: framing, maxBytes: small ? Int(caps) * 20 : WireLimits.maxReassembledBytes,
            maxFragments: small ? Int(caps) * 2 : WireLimits.maxFragments)
        // The oracle uses the caps the reassembler actually has (its init clamps to WireLimits): caps
        // 29–31 (580–620 bytes) once made it expect a whole 567-byte stream to get past a 566-byte cap.
        let maxBytes = whole.maxBytes
        let maxFragments = whole.maxFragments
        let sizes = chunkSizes(total: stream.count, pattern: (split >> 1) & 3, seed: split >> 3)

        // Whole.
        let unsplit: Outcome
        switch feed(&whole, chunks: stream.isEmpty ? [] : [stream]) {
        case .success(let outcome): unsplit = outcome
        case .failure(let violation): return violation
        }
        if stream.count > maxBytes, let v = Invariant.holds("byte-cap-enforced", unsplit.error == .reassemblyLimit,
                                                            "\(stream.count) bytes in one chunk past a cap of \(maxBytes): \(String(describing: unsplit.error))") {
            return v
        }

        // In chunks.
        var chunks: [ArraySlice<UInt8>] = []
        chunks.reserveCapacity(sizes.count)
        var offset = stream.startIndex
        for size in sizes {
            chunks.append(stream[offset..<offset + size])
            offset += size
        }
        var pieces = FragmentReassembler(framing: framing, maxBytes: maxBytes, maxFragments: maxFragments)
        let splitOutcome: Outcome
        switch feed(&pieces, chunks: chunks) {
        case .success(let outcome): splitOutcome = outcome
        case .failure(let violation): return violation
        }

        for outcome in [unsplit, splitOutcome] {
            if let v = checkAccounting(outcome, stream: stream, framing: framing) { return v }
        }
        if stream.count <= maxBytes && chunks.count <= maxFragments,
           let v = compare(unsplit: unsplit, split: splitOutcome) {
            return v
        }
        return checkPreparedWrites(stream: stream, sizes: sizes, seed: split, framing: framing,
                                   maxBytes: maxBytes, maxFragments: maxFragments)
    }

    /// Feeds `chunks` until the first error, checking the cap and the reset after an error.
    static func feed(_ reassembler: inout FragmentReassembler, chunks: [ArraySlice<UInt8>]) -> Result<Outcome, InvariantViolation> {
        var frames: [[UInt8]] = []
        for chunk in chunks {
            do {
                frames += try reassembler.append(chunk)
            } catch {
                if let v = Invariant.holds("error-empties-buffer", reassembler.isIdle && reassembler.bufferedByteCount == 0,
                                           "\(reassembler.bufferedByteCount) bytes still buffered after \(error)") {
                    return .failure(v)
                }
                return .success(Outcome(frames: frames, buffered: 0, error: error.code))
            }
            if let v = Invariant.within("buffer-within-cap", reassembler.bufferedByteCount, 0...reassembler.maxBytes) {
                return .failure(v)
            }
        }
        return .success(Outcome(frames: frames, buffered: reassembler.bufferedByteCount, error: nil))
    }

    /// Frames are a prefix of the stream, account for every byte, and each has a valid size.
    public static func checkAccounting(
        _ outcome: Outcome, stream: ArraySlice<UInt8>, framing: FragmentReassembler.Framing
    ) -> InvariantViolation? {
        var position = stream.startIndex
        for frame in outcome.frames {
            guard frame.count <= stream.endIndex - position,
                  stream[position..<position + frame.count].elementsEqual(frame) else {
                return InvariantViolation("frames-are-stream-prefix",
                                          "frame \(Invariant.hexPreview(frame)) is not the stream at offset \(position - stream.startIndex)")
            }
            position += frame.count
            if let v = checkFrameSize(frame, framing: framing) { return v }
        }
        if outcome.error == nil, let v = Invariant.holds(
            "frames-are-stream-prefix", position - stream.startIndex + outcome.buffered == stream.count,
            "\(position - stream.startIndex) bytes in frames + \(outcome.buffered) buffered ≠ \(stream.count) fed") {
            return v
        }
        return nil
    }

    static func checkFrameSize(_ frame: [UInt8], framing: FragmentReassembler.Framing) -> InvariantViolation? {
        switch framing {
        case .plain:
            guard frame.count >= 2 else { return InvariantViolation("frame-size", "plain frame of \(frame.count) bytes") }
            let command = Command(rawValue: UInt16(frame[0]) | UInt16(frame[1]) << 8)
            let size = FragmentReassembler.plainPayloadSize(command).map { $0 + PlainFrame.overheadBytes }
            return Invariant.holds("frame-size", size == frame.count,
                                   "plain \(command) frame of \(frame.count) bytes, expected \(String(describing: size))")
        case .encrypted:
            do {
                _ = try EncryptedFrame.decode(frame)
                return nil
            } catch {
                return InvariantViolation("frame-size", "encrypted frame refused by EncryptedFrame.decode: \(error)")
            }
        }
    }

    /// Chunked feeding must match whole feeding when the stream fits the caps.
    public static func compare(unsplit: Outcome, split: Outcome) -> InvariantViolation? {
        if unsplit.error == nil {
            return Invariant.holds("split-equals-unsplit", split == unsplit,
                                   "split gave \(split.frames.count) frames, \(split.buffered) buffered, error \(String(describing: split.error)); whole gave \(unsplit.frames.count) frames, \(unsplit.buffered) buffered")
        }
        // A whole chunk that fails loses the frames it completed; the split feed delivered them earlier,
        // so only the first error code must agree.
        return Invariant.holds("split-equals-unsplit", split.error == unsplit.error,
                               "split error \(String(describing: split.error)), whole error \(String(describing: unsplit.error))")
    }

    /// The stream as offset-addressed fragments written in a shuffled order, then assembled.
    static func checkPreparedWrites(
        stream: ArraySlice<UInt8>, sizes: [Int], seed: UInt8, framing: FragmentReassembler.Framing,
        maxBytes: Int, maxFragments: Int
    ) -> InvariantViolation? {
        guard !stream.isEmpty else { return nil }
        var fragments: [(offset: Int, bytes: ArraySlice<UInt8>)] = []
        fragments.reserveCapacity(sizes.count)
        var offset = 0
        for size in sizes {
            let start = stream.startIndex + offset
            fragments.append((offset, stream[start..<start + size]))
            offset += size
        }
        var rng = XorShift(seed: UInt32(seed) &+ 0x9E37_79B9)
        if fragments.count > 1 {
            for i in stride(from: fragments.count - 1, to: 0, by: -1) {
                fragments.swapAt(i, Int(rng.next() % UInt32(i + 1)))
            }
        }
        var reassembler = FragmentReassembler(framing: framing, maxBytes: maxBytes, maxFragments: maxFragments)
        let fits = stream.count <= maxBytes && fragments.count <= maxFragments
        for fragment in fragments {
            do {
                try reassembler.write(fragment.bytes, offset: fragment.offset)
            } catch {
                if let v = Invariant.holds("error-empties-buffer", reassembler.isIdle,
                                           "prepared writes: \(reassembler.bufferedByteCount) bytes buffered after \(error)") {
                    return v
                }
                return Invariant.holds("prepared-writes-reassemble", !fits,
                                       "\(fragments.count) fragments, \(stream.count) bytes within caps refused: \(error)")
            }
            if let v = Invariant.within("buffer-within-cap", reassembler.bufferedByteCount, 0...maxBytes) { return v }
        }
        do {
            let value = try reassembler.assemble()
            if let v = Invariant.sameBytes("prepared-writes-reassemble", expected: stream, actual: value) { return v }
        } catch {
            return InvariantViolation("prepared-writes-reassemble", "assemble refused contiguous fragments: \(error)")
        }
        return Invariant.holds("error-empties-buffer", reassembler.isIdle, "not idle after assemble")
    }

    /// Chunk sizes summing to `total`.
    static func chunkSizes(total: Int, pattern: UInt8, seed: UInt8) -> [Int] {
        var rng = XorShift(seed: UInt32(seed) &* 0x0101_0101 &+ 0x1234_5678)
        var sizes: [Int] = []
        var left = total
        while left > 0 {
            let size: Int
            switch pattern {
            case 0: size = 1
            case 1: size = 20
            case 2: size = 1 + Int(rng.next() % 64)
            default: size = 1 + Int(rng.next() % 300)
            }
            sizes.append(min(size, left))
            left -= min(size, left)
        }
        return sizes
    }
}

/// Marsaglia's xorshift32: a fixed, tiny generator for chunk sizes and write order. Not for secrets.
struct XorShift {
    private var state: UInt32

    init(seed: UInt32) { state = seed == 0 ? 0x6D2B_79F5 : seed }

    mutating func next() -> UInt32 {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return state
    }
}
