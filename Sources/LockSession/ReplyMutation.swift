import LockCrypto
import LockWire

/// A structure-aware change to one Nuki message a lock sends, made inside the framing (issue 14
/// item 5): an encrypted reply is opened under the real shared key, changed, and sealed again with a
/// fresh nonce, so its MAC and its CRC verify; a plain (pairing) reply gets a valid CRC. Only
/// ``crcFlipped`` breaks the framing on purpose.
///
/// The message is `command` (u16 LE) ‖ payload, as in `docs/wire.md` §2.1 (plain: then CRC) and §2.2
/// (PDATA: auth id u32 LE first). Offsets are payload offsets.
///
/// What a correct client must do with the result is decided by ``mustRefuse(original:mutated:channel:)``:
/// a message whose layout or framing is wrong must be refused; a message that only carries other
/// values in a valid layout is authentic (the hostile lock holds the key) and may be accepted.
public enum ReplyMutation: Sendable, Hashable, Codable {
    /// The command id replaced by another.
    case command(UInt16)
    /// The payload byte at `offset` (taken modulo the payload's length; nothing changes for an empty
    /// payload) set to `value`.
    case payloadByte(offset: Int, value: UInt8)
    /// The last `bytes` payload bytes removed (all of them when the payload is shorter).
    case payloadTruncated(bytes: Int)
    /// `bytes` appended to the payload.
    case payloadExtended(bytes: [UInt8])
    /// The CRC's last byte with bit 0 flipped (plain: the frame's CRC; encrypted: the CRC inside
    /// PDATA, re-sealed so the MAC verifies: docs/attacks.md P-04).
    case crcFlipped

    /// Which framing a message travels in.
    public enum Channel: String, Sendable, Hashable, Codable {
        /// Plain frame with CRC (pairing GDIO, keyturner GDIO): `docs/wire.md` §2.1.
        case plain
        /// Encrypted frame (keyturner USDIO): `docs/wire.md` §2.2.
        case encrypted
    }

    /// A short name of what the mutation changes, for de-duplicating findings: `command`,
    /// `payload-byte` (any offset: the trace keeps which), `payload-truncated`, `payload-extended`, `crc`.
    public var field: String {
        switch self {
        case .command: return "command"
        case .payloadByte: return "payload-byte"
        case .payloadTruncated: return "payload-truncated"
        case .payloadExtended: return "payload-extended"
        case .crcFlipped: return "crc"
        }
    }

    /// A one-line description, e.g. `payload byte 3 = 0xFF`.
    public var label: String {
        switch self {
        case .command(let raw): return "command id → \(Command(rawValue: raw))"
        case .payloadByte(let offset, let value): return "payload byte \(offset) = 0x\(Hex.encode([value]))"
        case .payloadTruncated(let bytes): return "payload cut by \(bytes) bytes"
        case .payloadExtended(let bytes):
            return "payload extended by \(bytes.count) bytes \(Hex.encode(bytes.prefix(8)))\(bytes.count > 8 ? "…" : "")"
        case .crcFlipped: return "CRC bit 0 of the last byte flipped"
        }
    }

    /// `command` and `payload` after the mutation (``crcFlipped`` leaves them as they are).
    public func apply(command: Command, payload: [UInt8]) -> (command: Command, payload: [UInt8]) {
        switch self {
        case .command(let raw):
            return (Command(rawValue: raw), payload)
        case .payloadByte(let offset, let value):
            guard !payload.isEmpty else { return (command, payload) }
            var changed = payload
            changed[((offset % payload.count) + payload.count) % payload.count] = value
            return (command, changed)
        case .payloadTruncated(let bytes):
            return (command, Array(payload.dropLast(max(0, bytes))))
        case .payloadExtended(let bytes):
            return (command, payload + bytes)
        case .crcFlipped:
            return (command, payload)
        }
    }

    /// A whole plain frame (command ‖ payload ‖ CRC) changed and given a valid CRC (or, for
    /// ``crcFlipped``, its own CRC with one bit flipped). Nil when `frame` is not a valid plain frame.
    public func apply(toPlain frame: [UInt8]) -> [UInt8]? {
        guard let plain = try? PlainFrame.decode(frame) else { return nil }
        if self == .crcFlipped {
            var bad = frame
            guard let last = bad.indices.last else { return nil }
            bad[last] ^= 0x01
            return bad
        }
        let (command, payload) = apply(command: plain.command, payload: plain.payload)
        return PlainFrame(command: command, payload: payload).encoded()
    }

    /// A whole encrypted frame opened with `key` (by its clear auth id), changed and sealed again
    /// under the same key with a fresh nonce from `random`: the MAC and the inner auth id verify,
    /// and the CRC too unless the mutation is ``crcFlipped``. Nil when the frame does not open or the
    /// result cannot be sealed (a payload past ``LockWire/WireLimits/maxPayloadBytes``).
    public func apply(toEncrypted frame: [UInt8], random: any RandomSource, key: (UInt32) -> SharedKey?) -> [UInt8]? {
        guard let plain = try? EncryptedMessageCodec.open(frame, key: key), let sharedKey = key(plain.authID) else { return nil }
        if self == .crcFlipped {
            return HostileLockEngine.corrupt(frame, mode: .badCRCValidMAC, random: random, key: key)
        }
        let (command, payload) = apply(command: plain.command, payload: plain.payload)
        return try? EncryptedMessageCodec.seal(authID: plain.authID, command: command, payload: payload, key: sharedKey, random: random)
    }

    /// Whether a correct client must refuse the message `mutated` became from `original` (both as
    /// command and payload). True when the framing is broken (``crcFlipped``), when LockWire's
    /// decoder refuses the command's payload layout or ranges (`docs/wire.md` §4, the Nuki BLE API's
    /// payload tables), or when a pairing Authorization-ID (0x0007) changed at all: its
    /// authenticator covers every other field (`docs/wire.md` §3.2), so a client that verifies it
    /// refuses any change. False when the result is a valid message in another meaning: a client
    /// cannot tell it from what the lock meant.
    public func mustRefuse(original: (command: Command, payload: [UInt8]), channel: Channel) -> Bool {
        if self == .crcFlipped { return true }
        let mutated = apply(command: original.command, payload: original.payload)
        if mutated.command == original.command, mutated.payload == original.payload { return false }
        if channel == .plain, original.command == .authorizationID { return true }
        do {
            _ = try NukiMessage.decode(command: mutated.command, payload: mutated.payload)
            return false
        } catch {
            return true
        }
    }
}
