internal import CSodium
import LockWire

/// The 32-byte long-term key s of one pairing, in zeroing storage.
///
/// s = HSalsa20(key: X25519(own secret, peer public), input: 16 zero bytes), which is exactly
/// libsodium's `crypto_box_beforenm(peer_pk, own_sk)`. It keys the HMAC-SHA256 pairing authenticators
/// (h1) and the XSalsa20-Poly1305 secretbox of every encrypted message (e1).
/// Source: Nuki BLE API 2.1 §"Pairing" (dh1, kdf1), `docs/wire.md` §2.4.
///
/// A value type over shared storage: copies refer to the same bytes, and ``wipe()`` zeroes them for
/// every copy. ``description`` is redacted.
public struct SharedKey: Sendable, CustomStringConvertible {
    /// Size of s.
    public static let keyBytes = 32

    /// The key bytes.
    public let secret: SecretBytes

    /// Derives s from our key pair and the peer's public key (`crypto_box_beforenm`).
    ///
    /// Throws, in order: `lowOrderPublicKey` when the peer key is all zero; `peerKeyEqualsOwn` when it
    /// equals `ownKeyPair.publicKey` (constant-time compare); `lowOrderPublicKey` when it is of low
    /// order (libsodium's X25519 returns -1 for an all-zero result).
    public init(ownKeyPair: KeyPair, peerPublicKey: Bytes32) throws(CryptoError) {
        try ownKeyPair.checkPeer(peerPublicKey)
        Sodium.ensureInitialized()
        var status: Int32 = -1
        let s = SecretBytes(count: SharedKey.keyBytes) { out in
            ownKeyPair.secretKey.withUnsafeBytes { sk in
                peerPublicKey.bytes.withUnsafeBufferPointer { pk in
                    guard let k = out.baseAddress, let n = sk.baseAddress, let p = pk.baseAddress else { return }
                    status = crypto_box_beforenm(k.assumingMemoryBound(to: UInt8.self), p,
                                                 n.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        guard status == 0 else {
            s.wipe()
            throw CryptoError(.lowOrderPublicKey, "peer public key is of low order (X25519 result is zero)")
        }
        secret = s
    }

    /// kdf1 alone: s = HSalsa20(key: k, input: 16 zero bytes, constant "expand 32-byte k"), for clients
    /// that run X25519 separately (``KeyPair/x25519(peerPublicKey:)``). Throws `invalidKeyLength` unless
    /// k holds 32 bytes. Source: `docs/wire.md` §2.4.
    public init(hsalsa20Of k: SecretBytes) throws(CryptoError) {
        guard k.count == SharedKey.keyBytes else {
            throw CryptoError(.invalidKeyLength, "X25519 result has \(k.count) bytes, 32 needed")
        }
        Sodium.ensureInitialized()
        let zeros = [UInt8](repeating: 0, count: Int(crypto_core_hsalsa20_inputbytes()))
        secret = SecretBytes(count: SharedKey.keyBytes) { out in
            k.withUnsafeBytes { kBytes in
                zeros.withUnsafeBufferPointer { input in
                    guard let o = out.baseAddress, let kb = kBytes.baseAddress, let i = input.baseAddress else { return }
                    // A nil constant selects "expand 32-byte k".
                    _ = crypto_core_hsalsa20(o.assumingMemoryBound(to: UInt8.self), i,
                                             kb.assumingMemoryBound(to: UInt8.self), nil)
                }
            }
        }
    }

    /// Wraps an existing 32-byte key (the storage is shared, not copied): a stored credential, the key
    /// of an invite (Authorization Data (Invite) 0x000B, `docs/wire.md` §3.6), a test vector.
    /// Throws `invalidKeyLength` unless it holds 32 bytes.
    public init(secret: SecretBytes) throws(CryptoError) {
        guard secret.count == SharedKey.keyBytes else {
            throw CryptoError(.invalidKeyLength, "shared key has \(secret.count) bytes, 32 needed")
        }
        self.secret = secret
    }

    /// Copies 32 bytes into zeroing storage. Throws `invalidKeyLength` unless there are 32.
    public init(rawBytes: some Collection<UInt8>) throws(CryptoError) {
        guard rawBytes.count == SharedKey.keyBytes else {
            throw CryptoError(.invalidKeyLength, "shared key has \(rawBytes.count) bytes, 32 needed")
        }
        self.secret = SecretBytes(copying: rawBytes)
    }

    /// Lends the 32 key bytes to `body` (for persisting a credential). Do not let them escape.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try secret.withUnsafeBytes(body)
    }

    /// Zeroes the key for every copy (e.g. when its authorization is removed).
    public func wipe() { secret.wipe() }

    /// Constant-time comparison of two keys.
    public func constantTimeEquals(_ other: SharedKey) -> Bool {
        secret.constantTimeEquals(other.secret)
    }

    /// Redacted.
    public var description: String { "SharedKey(redacted)" }
}
