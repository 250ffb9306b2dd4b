import LockCore
import LockCrypto
import LockWire
import NukiProfile

/// A lock that lies to its clients, for testing client implementations (issue 7).
///
/// It wraps a real ``LockSessionEngine``: pairing, challenges and commands run for real, and the
/// encrypted indications the engine produces on the keyturner USDIO are rewritten on the way out
/// according to ``mode``. The first ``honestMessagesLeft`` encrypted messages go out unchanged, so a
/// client can pair and make a first request before the lock turns hostile; pairing itself is
/// plaintext on the pairing GDIO and is never touched. Plaintext Error Reports on the keyturner GDIO
/// pass unchanged too.
///
/// Corruption works on whole messages: the engine's chunks for one message (cut to ATT_MTU − 3) are
/// joined, the frame is rewritten, and the result is cut again to the connection's MTU (except in
/// ``Mode/oversizeIndication(bytes:)``). Frames that must be re-sealed (``Mode/wrongAuthID(_:)``,
/// ``Mode/badCRCValidMAC``) get a fresh nonce from the hostile engine's own `random`, never the
/// original nonce again under the same key.
///
/// What a correct client does with every mode is the docs/attacks.md §B rule for the same attack in the
/// other direction: refuse the message without acting on it, report the failure, and stay usable.
/// Latchkey's own ``ClientSessionEngine`` fails the request with ``ClientError/Code/invalidReply``
/// for every mode that delivers a whole frame, and waits for the rest of a frame whose length field
/// promises more bytes (the caller's timeout then calls ``ClientSessionEngine/cancel()``).
///
/// Pointing another client at it: drive it exactly like ``LockSessionEngine`` (same
/// ``receive(_:on:from:at:)`` and actions); a transport that carries a ``LockSessionEngine`` can
/// carry this one instead.
public struct HostileLockEngine {
    /// How encrypted replies are corrupted. Offsets are those of an encrypted frame: nonce 0..<24,
    /// clear auth id 24..<28, length field 28..<30, MAC 30..<46, ciphertext from 46.
    public enum Mode: Sendable, Hashable {
        /// Everything goes out as the engine made it.
        case honest
        /// The length field (offset 28, u16 LE) is changed by `delta` (clamped to 0…0xFFFF); every
        /// other byte is the honest frame's. Negative: the field promises fewer bytes than sent
        /// (docs/attacks.md P-03, trailing bytes): a correct client refuses the frame, it must not decode
        /// the prefix and drop the rest. Positive: the field promises more than sent (P-02): a
        /// correct client never allocates from the field beyond its own cap, refuses a field above
        /// its maximum at once, and otherwise expires the partial frame on a timeout; it must never
        /// join the next message's bytes into a frame that then verifies.
        case malformedLength(delta: Int)
        /// Bit 0 of the first MAC byte (offset 30) is flipped; the ciphertext, and the CRC encrypted
        /// inside it, are untouched, so only the MAC check catches it. A correct client refuses
        /// before decrypting or parsing anything (P-10).
        case badMAC
        /// The reply is opened and re-sealed under the real shared key with `authID` in both the
        /// clear header and the plaintext (the CRC covers the new id), so the MAC and CRC verify. A
        /// correct client refuses any reply whose clear or inner auth id is not its own (C-05): it
        /// picks the key by its own id and never searches for a key that works; a client that just
        /// uses its one key and checks only that the inner id equals the clear one accepts this.
        case wrongAuthID(UInt32)
        /// The reply's plaintext (auth id, command, payload, CRC) with bit 0 of the CRC's last byte
        /// flipped, re-sealed under the real key: the MAC verifies, the CRC does not. A correct
        /// client refuses after decryption, before acting on the message (P-04).
        case badCRCValidMAC
        /// The honest frame followed by zero bytes up to `bytes` in total, sent as one indication
        /// whatever the connection's MTU (an indication far longer than ATT_MTU − 3; a frame that is
        /// already longer is sent whole). A correct client refuses an indication longer than
        /// ATT_MTU − 3, never reads the filler as the start of another frame, and never buffers
        /// past its reassembly cap (P-02, P-07, X-04).
        case oversizeIndication(bytes: Int)
        /// The honest frame without its last byte. The length field promises one more byte, so a
        /// correct client waits and then expires the partial frame on a timeout (P-01, P-07); it
        /// must never parse the partial frame nor complete it with the next message's first byte.
        case truncated
        /// The reply changed inside the encryption by `mutation` and sealed again under the real
        /// key (``ReplyMutation/apply(toEncrypted:random:key:)``): valid MAC and CRC, another command,
        /// payload or length. A correct client refuses it when
        /// ``ReplyMutation/mustRefuse(original:channel:)`` says so and may act on it otherwise.
        case mutated(ReplyMutation)
    }

    /// The real lock. Setup and inspection may go through it directly.
    public var lock: LockSessionEngine
    /// The current corruption; switch to ``Mode/honest`` to let a client recover.
    public var mode: Mode
    /// Encrypted messages still to send honestly before ``mode`` applies.
    public var honestMessagesLeft: Int
    /// Encrypted messages rewritten so far.
    public private(set) var corruptedMessages = 0
    let random: any RandomSource

    /// - Parameters:
    ///   - lock: the real engine to wrap.
    ///   - mode: the corruption applied after the honest messages.
    ///   - honestMessages: encrypted messages (whole frames, any connection) sent unchanged first.
    ///   - random: nonces for re-sealed frames (seed it in tests).
    public init(lock: LockSessionEngine, mode: Mode, honestMessages: Int = 0, random: any RandomSource) {
        self.lock = lock
        self.mode = mode
        self.honestMessagesLeft = max(0, honestMessages)
        self.random = random
    }

    // MARK: The engine's interface

    /// ``LockSessionEngine/connect(_:)``.
    @discardableResult
    public mutating func connect(_ id: ConnectionID) -> [LockSessionEngine.Action] {
        lock.connect(id)
    }

    /// ``LockSessionEngine/disconnect(_:)``.
    public mutating func disconnect(_ id: ConnectionID) { lock.disconnect(id) }

    /// ``LockSessionEngine/receive(_:on:from:at:)``, with the replies corrupted per ``mode``.
    public mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, from connection: ConnectionID, at now: LockInstant) -> [LockSessionEngine.Action] {
        let actions = lock.receive(bytes, on: characteristic, from: connection, at: now)
        return rewrite(actions)
    }

    /// ``LockSessionEngine/advance(to:)``, with the replies corrupted per ``mode``.
    public mutating func advance(to now: LockInstant) -> [LockSessionEngine.Action] {
        rewrite(lock.advance(to: now))
    }

    /// ``LockSessionEngine/pressButton(heldMilliseconds:at:)``, with the replies corrupted per ``mode``.
    public mutating func pressButton(heldMilliseconds: Int64, at now: LockInstant) -> [LockSessionEngine.Action] {
        rewrite(lock.pressButton(heldMilliseconds: heldMilliseconds, at: now))
    }

    // MARK: Rewriting

    /// Joins each connection's USDIO chunks into frames and rewrites every whole frame; other actions
    /// keep their place. A frame's indications go out where its last chunk was.
    mutating func rewrite(_ actions: [LockSessionEngine.Action]) -> [LockSessionEngine.Action] {
        var out: [LockSessionEngine.Action] = []
        var joiners: [ConnectionID: FragmentReassembler] = [:]
        var held: [ConnectionID: [[UInt8]]] = [:]
        for action in actions {
            guard case .indicate(let id, .keyturnerUSDIO, let chunk) = action else {
                out.append(action)
                continue
            }
            var joiner = joiners[id] ?? FragmentReassembler(framing: .encrypted)
            held[id, default: []].append(chunk)
            let frames: [[UInt8]]
            do {
                frames = try joiner.append(chunk)
            } catch {
                // Not a frame the engine would make: pass the chunks on as they are.
                out += (held[id] ?? []).map { .indicate(id, .keyturnerUSDIO, $0) }
                held[id] = nil
                joiners[id] = nil
                continue
            }
            joiners[id] = joiner
            guard !frames.isEmpty else { continue }
            let original = held[id] ?? []
            held[id] = nil
            if frames.count == 1, let frame = frames.first {
                out += outgoing(frame, original: original, to: id)
            } else {
                for frame in frames { out += outgoing(frame, original: nil, to: id) }
            }
        }
        // Anything left incomplete goes out unchanged.
        for (id, chunks) in held.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            out += chunks.map { .indicate(id, .keyturnerUSDIO, $0) }
        }
        return out
    }

    /// The message for one whole frame: the original while honest, else the corrupted frame (the
    /// driver's GATT cuts either at ATT_MTU − 3; an oversize indication is sent whole by the hostile
    /// server, which bypasses that cut).
    private mutating func outgoing(_ frame: [UInt8], original: [[UInt8]]?, to id: ConnectionID) -> [LockSessionEngine.Action] {
        if honestMessagesLeft > 0 || mode == .honest {
            honestMessagesLeft = max(0, honestMessagesLeft - 1)
            return (original ?? [frame]).map { .indicate(id, .keyturnerUSDIO, $0) }
        }
        guard let bad = corrupt(frame) else {
            return (original ?? [frame]).map { .indicate(id, .keyturnerUSDIO, $0) }
        }
        corruptedMessages += 1
        return [.indicate(id, .keyturnerUSDIO, bad)]
    }

    /// `frame` rewritten per ``mode``; nil when it cannot be (no key left to re-seal with, e.g. an
    /// authorization revoked in the same step), and the frame then goes out unchanged.
    func corrupt(_ frame: [UInt8]) -> [UInt8]? {
        Self.corrupt(frame, mode: mode, random: random) { lock.keys[$0] }
    }

    /// `frame` (a whole, honest encrypted frame) rewritten per `mode`; `key` gives the shared key of
    /// the frame's auth id for the modes that re-seal. For use by other transports and tests.
    public static func corrupt(_ frame: [UInt8], mode: Mode, random: any RandomSource, key: (UInt32) -> SharedKey?) -> [UInt8]? {
        let lengthOffset = EncryptedFrame.nonceBytes + 4
        let macOffset = EncryptedFrame.headerBytes
        guard frame.count >= EncryptedFrame.headerBytes + EncryptedFrame.minCiphertextBytes else { return nil }
        switch mode {
        case .honest:
            return frame
        case .malformedLength(let delta):
            let field = Int(frame[lengthOffset]) | Int(frame[lengthOffset + 1]) << 8
            let value = min(max(field + delta, 0), Int(UInt16.max))
            var bad = frame
            bad[lengthOffset] = UInt8(truncatingIfNeeded: value)
            bad[lengthOffset + 1] = UInt8(truncatingIfNeeded: value >> 8)
            return bad
        case .badMAC:
            var bad = frame
            bad[macOffset] ^= 0x01
            return bad
        case .wrongAuthID(let authID):
            guard let plain = open(frame, key: key), let sharedKey = key(plain.authID) else { return nil }
            return try? EncryptedMessageCodec.seal(
                authID: authID, command: plain.command, payload: plain.payload, key: sharedKey, random: random)
        case .badCRCValidMAC:
            guard let plain = open(frame, key: key), let sharedKey = key(plain.authID) else { return nil }
            var body = plain.encoded()
            guard let last = body.indices.last else { return nil }
            body[last] ^= 0x01
            let nonce = random.secretboxNonce()
            guard let box = try? SecretBox.seal(body, nonce: nonce, key: sharedKey) else { return nil }
            return EncryptedFrame(nonce: nonce, authID: plain.authID, ciphertext: box).encoded()
        case .oversizeIndication(let bytes):
            return frame + [UInt8](repeating: 0, count: max(0, bytes - frame.count))
        case .truncated:
            return Array(frame.dropLast())
        case .mutated(let mutation):
            return mutation.apply(toEncrypted: frame, random: random, key: key)
        }
    }

    private static func open(_ frame: [UInt8], key: (UInt32) -> SharedKey?) -> EncryptedPlaintext? {
        try? EncryptedMessageCodec.open(frame, key: key)
    }
}
