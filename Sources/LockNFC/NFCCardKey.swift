import LockCrypto
import LockWire

/// The key of a fob's NFC card application, derived at pairing from the fob's shared key s, so
/// both the lock (which keeps s) and the fob (which stores the card key with its credentials) hold
/// it and nothing new crosses the air:
///
///     card key = HMAC-SHA256(s, "Latchkey NFC card key v1" ‖ credential id u32 LE)
///
/// The credential id is the fob's authorization id. Kept in zeroing storage (``LockCrypto/SecretBytes``).
public struct NFCCardKey: Sendable, CustomStringConvertible {
    /// The 32 key bytes, in zeroing storage.
    public let secret: SecretBytes

    /// Wraps stored key bytes (32); nil for another size.
    public init?(rawBytes: some Collection<UInt8>) {
        guard rawBytes.count == 32 else { return nil }
        secret = SecretBytes(copying: rawBytes)
    }

    /// The card key of `credentialID` under the pairing's shared key.
    public static func derive(from sharedKey: SharedKey, credentialID: UInt32) -> NFCCardKey {
        var id = WireWriter()
        id.write(credentialID)
        var out = HMACSHA256.authenticate(key: sharedKey, parts: [LatchkeyNFC.cardKeyLabel, id.bytes]).bytes
        defer { for i in out.indices { out[i] = 0 } }
        return NFCCardKey(secret: SecretBytes(copying: out))
    }

    private init(secret: SecretBytes) { self.secret = secret }

    /// Always `NFCCardKey(redacted)`: the key bytes never reach logs.
    public var description: String { "NFCCardKey(redacted)" }
}
