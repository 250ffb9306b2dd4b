internal import CSodium
import LockWire

/// An X25519 key pair: the 32-byte secret scalar in zeroing storage and the 32-byte public key
/// `crypto_scalarmult_base(secret)`.
///
/// Used by both ends of pairing: the lock's long-term PK_K and the client's PK_C, exchanged in
/// Public Key (0x0003). Source: Nuki BLE API 2.1 §"Pairing" (dh1), `docs/wire.md` §2.4 and §3.1.
public struct KeyPair: Sendable {
    /// Size of a secret key and of a public key.
    public static let keyBytes = 32

    /// The secret scalar (unclamped as stored; X25519 clamps it on use).
    public let secretKey: SecretBytes
    /// The public key sent in Public Key (0x0003).
    public let publicKey: Bytes32

    /// A new key pair whose secret key is 32 bytes drawn from `random`.
    ///
    /// Throws `lowOrderPublicKey` only if libsodium reports a failure deriving the public key, which
    /// does not happen for any 32-byte input.
    public init(using random: some RandomSource) throws(CryptoError) {
        try self.init(secretKey: random.secretBytes(count: KeyPair.keyBytes))
    }

    /// The key pair of an existing secret key (stored credentials, test vectors). The storage is
    /// shared, not copied. Throws `invalidKeyLength` unless it holds 32 bytes.
    public init(secretKey: SecretBytes) throws(CryptoError) {
        guard secretKey.count == KeyPair.keyBytes else {
            throw CryptoError(.invalidKeyLength, "X25519 secret key has \(secretKey.count) bytes, 32 needed")
        }
        Sodium.ensureInitialized()
        let (status, publicBytes) = secretKey.withUnsafeBytes { sk in
            var pk = [UInt8](repeating: 0, count: KeyPair.keyBytes)
            let status = pk.withUnsafeMutableBytes { pkBuffer -> Int32 in
                guard let q = pkBuffer.baseAddress, let n = sk.baseAddress else { return -1 }
                return crypto_scalarmult_base(q, n)
            }
            return (status, pk)
        }
        guard status == 0, let publicKey = Bytes32(publicBytes) else {
            throw CryptoError(.lowOrderPublicKey, "crypto_scalarmult_base failed")
        }
        self.secretKey = secretKey
        self.publicKey = publicKey
    }

    /// Copies a 32-byte secret key into zeroing storage and derives its public key.
    /// Throws `invalidKeyLength` unless `secretKey` holds 32 bytes.
    public init(secretKeyBytes: some Collection<UInt8>) throws(CryptoError) {
        try self.init(secretKey: SecretBytes(copying: secretKeyBytes))
    }

    /// The raw X25519 result k = X25519(own secret, peer public), 32 bytes (dh1 of the spec).
    ///
    /// Only for interoperability with clients that run dh1 and kdf1 separately (NukiBleEsp32) and for
    /// test vectors: use ``SharedKey/init(ownKeyPair:peerPublicKey:)`` for the long-term key s.
    /// Throws `lowOrderPublicKey` when the peer key is all zero or of low order (libsodium's
    /// `crypto_scalarmult` returns -1 for an all-zero result, and the result is checked again here),
    /// and `peerKeyEqualsOwn` when the peer key is our own public key.
    /// Source: `docs/wire.md` §2.4.
    public func x25519(peerPublicKey: Bytes32) throws(CryptoError) -> SecretBytes {
        try checkPeer(peerPublicKey)
        Sodium.ensureInitialized()
        var status: Int32 = -1
        var resultIsZero = true
        let k = SecretBytes(count: KeyPair.keyBytes) { out in
            secretKey.withUnsafeBytes { sk in
                peerPublicKey.bytes.withUnsafeBufferPointer { pk in
                    guard let q = out.baseAddress, let n = sk.baseAddress, let p = pk.baseAddress else { return }
                    status = crypto_scalarmult(q.assumingMemoryBound(to: UInt8.self),
                                               n.assumingMemoryBound(to: UInt8.self), p)
                    resultIsZero = ConstantTime.isZero(UnsafeRawBufferPointer(out))
                }
            }
        }
        guard status == 0, !resultIsZero else {
            k.wipe()
            throw CryptoError(.lowOrderPublicKey, "peer public key is of low order (X25519 result is zero)")
        }
        return k
    }

    /// The checks every use of a peer key starts with: not all zero, not our own key.
    func checkPeer(_ peerPublicKey: Bytes32) throws(CryptoError) {
        guard !ConstantTime.isZero(peerPublicKey.bytes) else {
            throw CryptoError(.lowOrderPublicKey, "peer public key is all zero")
        }
        guard !ConstantTime.equals(peerPublicKey, publicKey) else {
            throw CryptoError(.peerKeyEqualsOwn, "peer public key equals our own public key")
        }
    }
}
