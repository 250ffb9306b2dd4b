import LockCrypto
import LockWire
import Testing

/// Peer public keys that must not yield a shared key (docs/wire.md §2.4; RFC 7748 §6.1).
@Suite("Key agreement rejections")
struct KeyAgreementRejectionTests {
    /// Points of small order on Curve25519 in their canonical and non-canonical encodings:
    /// 0, 1, a point of order 8, another of order 8, p − 1, p, p + 1.
    static let lowOrderPoints: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "E0EB7A7C3B41B8AE1656E3FAF19FC46ADA098DEB9C32B1FD866205165F49B800",
        "5F9C95BCA3508C24B1D0B1559C83EF5B04445CC4581C8E86D8224EDDD09F1157",
        "ECFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F",
        "EDFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F",
        "EEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F",
    ]

    @Test("all-zero and low-order peer keys are rejected", arguments: lowOrderPoints)
    func lowOrderPeerKey(_ hex: String) throws {
        let own = try KeyPair(using: SeededRandomSource(seed: 1))
        let decoded = try #require(Hex.decode(hex))
        let peer = try #require(Bytes32(decoded))
        let error = cryptoError { () throws(CryptoError) -> SharedKey in
            try SharedKey(ownKeyPair: own, peerPublicKey: peer)
        }
        #expect(error?.code == .lowOrderPublicKey)
        let rawError = cryptoError { () throws(CryptoError) -> SecretBytes in
            try own.x25519(peerPublicKey: peer)
        }
        #expect(rawError?.code == .lowOrderPublicKey)
    }

    @Test("a peer key equal to our own public key is rejected")
    func reflectedKey() throws {
        let own = try KeyPair(using: SeededRandomSource(seed: 2))
        let error = cryptoError { () throws(CryptoError) -> SharedKey in
            try SharedKey(ownKeyPair: own, peerPublicKey: own.publicKey)
        }
        #expect(error?.code == .peerKeyEqualsOwn)
        let rawError = cryptoError { () throws(CryptoError) -> SecretBytes in
            try own.x25519(peerPublicKey: own.publicKey)
        }
        #expect(rawError?.code == .peerKeyEqualsOwn)
    }

    @Test("both ends of a pairing derive the same key")
    func bothEndsAgree() throws {
        let random = SeededRandomSource(seed: 3)
        let lock = try KeyPair(using: random)
        let client = try KeyPair(using: random)
        #expect(lock.publicKey != client.publicKey)
        let atLock = try SharedKey(ownKeyPair: lock, peerPublicKey: client.publicKey)
        let atClient = try SharedKey(ownKeyPair: client, peerPublicKey: lock.publicKey)
        #expect(atLock.constantTimeEquals(atClient))
        #expect(hexOf(atLock) == hexOf(atClient))
    }

    @Test("keys of the wrong length are rejected")
    func wrongLengths() {
        #expect(cryptoError { () throws(CryptoError) -> KeyPair in try KeyPair(secretKeyBytes: [UInt8](repeating: 1, count: 31)) }?.code
            == .invalidKeyLength)
        #expect(cryptoError { () throws(CryptoError) -> SharedKey in try SharedKey(rawBytes: [UInt8](repeating: 1, count: 33)) }?.code
            == .invalidKeyLength)
        #expect(cryptoError { () throws(CryptoError) -> SharedKey in try SharedKey(secret: SecretBytes(zeroed: 16)) }?.code
            == .invalidKeyLength)
        #expect(cryptoError { () throws(CryptoError) -> SharedKey in try SharedKey(hsalsa20Of: SecretBytes(zeroed: 0)) }?.code
            == .invalidKeyLength)
    }
}
