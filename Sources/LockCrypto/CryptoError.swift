/// A local cryptographic failure of `LockCrypto`: a machine-readable ``Code`` and a human reason.
///
/// These are errors of the caller's own operations (deriving a key from a peer's public key, opening a
/// secretbox, sizing a buffer). Errors on frames received from the wire are ``LockWire/WireError``
/// instead, so a lock can answer them with an Error Report (see ``EncryptedMessageCodec``).
/// Reasons never contain key material.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed. A struct over a private enum, so new codes are not source breaking.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case lowOrderPublicKey, peerKeyEqualsOwn, verificationFailed, invalidKeyLength,
                invalidNonceLength, invalidLength, messageTooLong
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The peer's X25519 public key is all zero or of low order: X25519 would give the all-zero
        /// shared secret, which an attacker can predict (RFC 7748 §6.1).
        public static let lowOrderPublicKey = Code(.lowOrderPublicKey)
        /// The peer presented our own public key back to us (a reflection attempt).
        public static let peerKeyEqualsOwn = Code(.peerKeyEqualsOwn)
        /// A Poly1305 tag or an HMAC did not verify.
        public static let verificationFailed = Code(.verificationFailed)
        /// A key is not the 32 bytes X25519, HSalsa20, XSalsa20-Poly1305 and HMAC-SHA256 need here.
        public static let invalidKeyLength = Code(.invalidKeyLength)
        /// A nonce is not the 24 bytes XSalsa20 needs.
        public static let invalidNonceLength = Code(.invalidNonceLength)
        /// Some other buffer or field has the wrong size (a MAC that is not 16 bytes, a name that is
        /// not 32 bytes, an output buffer of the wrong size).
        public static let invalidLength = Code(.invalidLength)
        /// A message to seal exceeds ``LockWire/WireLimits/maxPayloadBytes``, so no receiver would accept it.
        public static let messageTooLong = Code(.messageTooLong)

        /// The code's name, e.g. `lowOrderPublicKey`.
        public var description: String {
            switch base {
            case .lowOrderPublicKey: return "lowOrderPublicKey"
            case .peerKeyEqualsOwn: return "peerKeyEqualsOwn"
            case .verificationFailed: return "verificationFailed"
            case .invalidKeyLength: return "invalidKeyLength"
            case .invalidNonceLength: return "invalidNonceLength"
            case .invalidLength: return "invalidLength"
            case .messageTooLong: return "messageTooLong"
            }
        }
    }

    /// What failed.
    public let code: Code
    /// Why, in words, for logs and test failures. Never contains secret material.
    public let reason: String

    /// An error with a code and a reason that names no secret.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `CryptoError.<code>: <reason>`.
    public var description: String { "CryptoError.\(code): \(reason)" }
}
