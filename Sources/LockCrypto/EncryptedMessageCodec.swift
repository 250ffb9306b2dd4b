import LockWire

/// Seals and opens whole encrypted messages of the keyturner USDIO (and the encrypted pairing
/// messages of the Ultra variant):
///
/// | offset | size | field | |
/// |---|---|---|---|
/// | 0 | 24 | nonce | clear |
/// | 24 | 4 | authorization id (u32 LE) | clear |
/// | 28 | 2 | length = 16 + plaintext count (u16 LE) | clear |
/// | 30 | 16 | Poly1305 MAC | |
/// | 46 | 4 | authorization id again (u32 LE) | encrypted |
/// | 50 | 2 | command id (u16 LE) | encrypted |
/// | 52 | n | payload | encrypted |
/// | 52+n | 2 | CRC-16/CCITT-FALSE over the 6+n bytes from offset 46 | encrypted |
///
/// i.e. an ``LockWire/EncryptedFrame`` whose ciphertext is `crypto_secretbox_easy` of
/// ``LockWire/EncryptedPlaintext/encoded()`` under the shared key s.
/// Sealing writes the frame into one buffer and encrypts in place; opening decrypts once into one
/// buffer that is wiped after parsing.
/// Source: Nuki BLE API 2.1 §"Encrypted messages", `docs/wire.md` §2.2 and §2.3.
public enum EncryptedMessageCodec {
    /// Offset of the MAC in a frame.
    static let macOffset = EncryptedFrame.headerBytes
    /// Offset of the encrypted plaintext in a frame.
    static let plaintextOffset = EncryptedFrame.headerBytes + EncryptedFrame.macBytes

    // MARK: Seal

    /// The whole frame for `payload` of `command` from `authID`, sealed under `key` with `nonce`.
    ///
    /// Throws `invalidNonceLength` unless `nonce` has 24 bytes, and `messageTooLong` when `payload`
    /// exceeds ``LockWire/WireLimits/maxPayloadBytes`` (no receiver would accept the frame).
    /// The nonce must never have been used with this key before.
    public static func seal(
        authID: UInt32, command: Command, payload: ArraySlice<UInt8>,
        nonce: ArraySlice<UInt8>, key: SharedKey
    ) throws(CryptoError) -> [UInt8] {
        guard nonce.count == SecretBox.nonceBytes else {
            throw CryptoError(.invalidNonceLength, "encrypted frame nonce has \(nonce.count) bytes, 24 needed")
        }
        guard payload.count <= WireLimits.maxPayloadBytes else {
            throw CryptoError(.messageTooLong, "payload of \(payload.count) bytes exceeds \(WireLimits.maxPayloadBytes)")
        }
        let plaintextCount = payload.count + EncryptedPlaintext.overheadBytes
        let total = plaintextOffset + plaintextCount
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let frame = UnsafeMutableRawBufferPointer(buffer)
            // Clear header: nonce, auth id, length of MAC + ciphertext.
            nonce.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: frame[0..<EncryptedFrame.nonceBytes]).copyMemory(from: $0)
            }
            store(authID, at: EncryptedFrame.nonceBytes, in: frame)
            store(UInt16(truncatingIfNeeded: EncryptedFrame.macBytes + plaintextCount), at: EncryptedFrame.nonceBytes + 4, in: frame)
            // Plaintext at its final place: auth id, command, payload, CRC.
            let p = plaintextOffset
            store(authID, at: p, in: frame)
            store(command.rawValue, at: p + 4, in: frame)
            let payloadStart = p + 6
            payload.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: frame[payloadStart..<payloadStart + bytes.count])
                    .copyMemory(from: bytes)
            }
            let crcOffset = payloadStart + payload.count
            let crc = CRC16.checksum(UnsafeRawBufferPointer(rebasing: frame[p..<crcOffset]))
            store(crc, at: crcOffset, in: frame)
            // Encrypt in place; the tag goes in front of the ciphertext.
            SecretBox.rawSeal(
                UnsafeMutableRawBufferPointer(rebasing: frame[p..<total]),
                mac: UnsafeMutableRawBufferPointer(rebasing: frame[macOffset..<p]),
                nonce: UnsafeRawBufferPointer(rebasing: frame[0..<EncryptedFrame.nonceBytes]),
                key: key)
            initialized = total
        }
    }

    /// Array convenience for ``seal(authID:command:payload:nonce:key:)-(_,_,ArraySlice<UInt8>,ArraySlice<UInt8>,_)``.
    public static func seal(
        authID: UInt32, command: Command, payload: [UInt8], nonce: [UInt8], key: SharedKey
    ) throws(CryptoError) -> [UInt8] {
        try seal(authID: authID, command: command, payload: payload[...], nonce: nonce[...], key: key)
    }

    /// Seals an ``LockWire/EncryptedPlaintext`` (its auth id goes in the clear header too).
    public static func seal(_ plaintext: EncryptedPlaintext, nonce: [UInt8], key: SharedKey) throws(CryptoError) -> [UInt8] {
        try seal(authID: plaintext.authID, command: plaintext.command, payload: plaintext.payload[...],
                 nonce: nonce[...], key: key)
    }

    /// Seals with a fresh 24-byte nonce drawn from `random`. Throws `messageTooLong` as above.
    public static func seal(
        authID: UInt32, command: Command, payload: [UInt8], key: SharedKey, random: some RandomSource
    ) throws(CryptoError) -> [UInt8] {
        try seal(authID: authID, command: command, payload: payload[...],
                 nonce: random.secretboxNonce()[...], key: key)
    }

    // MARK: Open

    /// Checks, decrypts and parses a whole received frame. `key` maps the clear auth id to its shared
    /// key, or nil when the id is unknown.
    ///
    /// Throws ``LockWire/WireError`` so a lock can answer with an Error Report carrying
    /// `error.code.nukiErrorCode`. Checks, in order, decrypting nothing before the MAC verifies:
    /// 1. the envelope (``LockWire/EncryptedFrame/decode(_:)-(ArraySlice<UInt8>)``): `truncated` or
    ///    `lengthOutOfRange`, answered 0xFE ERROR_BAD_LENGTH;
    /// 2. an unknown auth id: `notAuthorized` (0x20), no decryption attempted;
    /// 3. the Poly1305 MAC: `notAuthorized` (0x20), no plaintext produced;
    /// 4. the plaintext (``LockWire/EncryptedPlaintext/decode(_:expectedAuthID:)-(ArraySlice<UInt8>,_)``):
    ///    `badCRC` (0xFD), then `notAuthorized` (0x20) when the inner auth id differs from the clear one.
    ///
    /// `checks` leaves out step 4's CRC or inner auth id check for a weakened lock only
    /// (`latchkey lock serve --weaken crc-unchecked|inner-auth-id-unchecked`).
    public static func open(
        _ bytes: ArraySlice<UInt8>, checks: EncryptedPlaintext.Checks = .all, key: (UInt32) -> SharedKey?
    ) throws(WireError) -> EncryptedPlaintext {
        // 1. Envelope, without copying: the same acceptance rule as EncryptedFrame.decode, which
        //    produces the error whenever the frame is refused.
        let count = bytes.count
        let start = bytes.startIndex
        guard count >= EncryptedFrame.headerBytes else { throw envelopeError(bytes) }
        let authID = UInt32(bytes[start + 24]) | UInt32(bytes[start + 25]) << 8
            | UInt32(bytes[start + 26]) << 16 | UInt32(bytes[start + 27]) << 24
        let length = Int(bytes[start + 28]) | Int(bytes[start + 29]) << 8
        guard length >= EncryptedFrame.minCiphertextBytes, length <= WireLimits.maxCiphertextBytes,
              count - EncryptedFrame.headerBytes == length
        else { throw envelopeError(bytes) }

        // 2. Unknown auth id: refuse before any decryption.
        guard let sharedKey = key(authID) else {
            throw WireError(.notAuthorized, "encrypted frame: unknown authorization id \(authID)")
        }

        // 3. MAC, then decryption into one buffer that is wiped after parsing.
        var plaintext = [UInt8](repeating: 0, count: length - EncryptedFrame.macBytes)
        defer { wipe(&plaintext) }
        let verified = plaintext.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { frame in
                SecretBox.rawOpen(
                    ciphertext: UnsafeRawBufferPointer(rebasing: frame[plaintextOffset...]),
                    mac: UnsafeRawBufferPointer(rebasing: frame[macOffset..<plaintextOffset]),
                    nonce: UnsafeRawBufferPointer(rebasing: frame[0..<EncryptedFrame.nonceBytes]),
                    key: sharedKey, into: out)
            }
        }
        guard verified else {
            throw WireError(.notAuthorized, "encrypted frame: MAC does not verify for authorization id \(authID)")
        }

        // 4. CRC, then inner auth id.
        return try EncryptedPlaintext.decode(plaintext[...], expectedAuthID: authID, checks: checks)
    }

    /// The error EncryptedFrame.decode gives for an envelope the fast check refused.
    private static func envelopeError(_ bytes: ArraySlice<UInt8>) -> WireError {
        do {
            _ = try EncryptedFrame.decode(bytes)
        } catch {
            return error
        }
        return WireError(.lengthOutOfRange, "encrypted frame: envelope refused")
    }

    /// Array convenience for ``open(_:key:)-(ArraySlice<UInt8>,_)``.
    public static func open(_ bytes: [UInt8], checks: EncryptedPlaintext.Checks = .all, key: (UInt32) -> SharedKey?) throws(WireError) -> EncryptedPlaintext {
        try open(bytes[...], checks: checks, key: key)
    }

    // MARK: Helpers

    private static func store(_ value: UInt32, at offset: Int, in buffer: UnsafeMutableRawBufferPointer) {
        for i in 0..<4 { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    private static func store(_ value: UInt16, at offset: Int, in buffer: UnsafeMutableRawBufferPointer) {
        buffer[offset] = UInt8(truncatingIfNeeded: value)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { Sodium.memzero($0) }
    }
}
