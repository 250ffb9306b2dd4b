import LockCrypto
import LockSession
import LockWire

/// Malformed and replayed frames for testing locks (`docs/attacks.md` §B1–B3): each function returns the
/// bytes a hostile client writes. Point them at Latchkey's own lock or at a real lock's client
/// stack and check the answer against the expected Error Report.
public enum HostileClient {
    /// A captured frame sent again as is (C-01, C-02): expect K_ERROR_BAD_NONCE (0x22).
    public static func replay(_ frame: [UInt8]) -> [UInt8] { frame }

    /// A command sealed correctly but carrying a challenge the lock never issued: expect 0x22.
    public static func staleChallenge(
        _ message: (Bytes32) -> NukiMessage, credentials: ClientCredentials, random: any RandomSource
    ) throws(CryptoError) -> [UInt8] {
        let built = message(random.bytes32())
        return try EncryptedMessageCodec.seal(
            authID: credentials.authID, command: built.command, payload: built.encodedPayload(), key: credentials.sharedKey,
            random: random)
    }

    /// `frame` with its clear auth id replaced (C-05): the MAC fails under another key or the id is
    /// unknown; expect K_ERROR_NOT_AUTHORIZED (0x20) in plaintext on the keyturner GDIO.
    public static func wrongAuthID(_ frame: [UInt8], authID: UInt32) -> [UInt8] {
        guard frame.count >= EncryptedFrame.headerBytes else { return frame }
        var out = frame
        for i in 0..<4 { out[EncryptedFrame.nonceBytes + i] = UInt8(truncatingIfNeeded: authID >> (8 * UInt32(i))) }
        return out
    }

    /// A frame sealed correctly under `credentials` (clear auth id theirs, MAC valid, CRC valid) whose
    /// plaintext carries `innerAuthID` instead (C-05): expect K_ERROR_NOT_AUTHORIZED (0x20) in
    /// plaintext on the keyturner GDIO, nothing executed under either id.
    public static func innerAuthID(
        _ message: NukiMessage, innerAuthID: UInt32, credentials: ClientCredentials, random: any RandomSource
    ) throws(CryptoError) -> [UInt8] {
        let plaintext = EncryptedPlaintext(authID: innerAuthID, command: message.command, payload: message.encodedPayload()).encoded()
        let nonce = random.secretboxNonce()
        let box = try SecretBox.seal(plaintext, nonce: nonce, key: credentials.sharedKey)
        return EncryptedFrame(nonce: nonce, authID: credentials.authID, ciphertext: box).encoded()
    }

    /// A frame with a valid MAC whose plaintext CRC is wrong (P-04): expect ERROR_BAD_CRC (0xFD).
    public static func badCRC(_ message: NukiMessage, credentials: ClientCredentials, random: any RandomSource) throws(CryptoError) -> [UInt8] {
        var plaintext = EncryptedPlaintext(authID: credentials.authID, command: message.command, payload: message.encodedPayload()).encoded()
        plaintext[plaintext.count - 1] ^= 0xFF
        let nonce = random.secretboxNonce()
        let box = try SecretBox.seal(plaintext, nonce: nonce, key: credentials.sharedKey)
        return EncryptedFrame(nonce: nonce, authID: credentials.authID, ciphertext: box).encoded()
    }

    /// `frame` with one bit of its MAC flipped (P-10): expect 0x20, nothing decrypted.
    public static func badMAC(_ frame: [UInt8]) -> [UInt8] {
        guard frame.count > EncryptedFrame.headerBytes else { return frame }
        var out = frame
        out[EncryptedFrame.headerBytes] ^= 0x01
        return out
    }

    /// `frame` with its length field moved by `delta` (P-02, P-03): expect ERROR_BAD_LENGTH (0xFE).
    public static func badLength(_ frame: [UInt8], delta: Int) -> [UInt8] {
        guard frame.count >= EncryptedFrame.headerBytes else { return frame }
        let field = Int(frame[28]) | Int(frame[29]) << 8
        let moved = UInt16(truncatingIfNeeded: field + delta)
        var out = frame
        out[28] = UInt8(truncatingIfNeeded: moved)
        out[29] = UInt8(truncatingIfNeeded: moved >> 8)
        return out
    }

    /// A write larger than the lock's reassembly cap (P-07, X-class): expect ERROR_BAD_LENGTH and a
    /// lock that keeps working.
    public static func oversizedFragment(bytes: Int = WireLimits.maxReassembledBytes + 1) -> [UInt8] {
        // An encrypted header announcing the largest length, then filler past the cap.
        var out = [UInt8](repeating: 0x41, count: EncryptedFrame.nonceBytes) + [1, 0, 0, 0]
        let length = UInt16(truncatingIfNeeded: WireLimits.maxCiphertextBytes)
        out += [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8)]
        return out + [UInt8](repeating: 0x42, count: max(0, bytes - out.count))
    }

    /// Pairing messages out of order (B3): an Authorization-ID Confirmation before anything else,
    /// then Authorization Data without a challenge; expect ERROR_UNKNOWN and no new user.
    public static func outOfOrderPairing() -> [[UInt8]] {
        [
            PlainFrame(AuthorizationIDConfirmation(authenticator: .zero, authID: 1)).encoded(),
            PlainFrame(AuthorizationData(authenticator: .zero, idType: .app, id: 1, name: FixedName("x", width: 32), clientNonce: .zero)).encoded(),
        ]
    }
}
