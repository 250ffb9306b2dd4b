import LockCrypto
import LockWire

/// The fixed key material of every harness, so a crash replays exactly on any machine.
///
/// Source: the Set A transcript (`Tests/Vectors/SetA.json`, `docs/wire.md` §10.1): shared key s of the
/// "Authorize App" example, authorization id 2, and the nonce of its Read Lock State request.
/// Nothing here is mutable; ``sharedKey()`` builds a fresh ``LockCrypto/SharedKey`` per call so no
/// key storage is shared between inputs.
public enum FuzzFixtures {
    /// Set A `numbers.auth_id`: the authorization id whose key the harness knows.
    public static let authID: UInt32 = 2
    /// An authorization id with no key (the unknown-id path).
    public static let unknownAuthID: UInt32 = 3

    /// Set A `hex.shared_key_s`.
    public static let sharedKeyBytes: [UInt8] = [
        0x21, 0x7F, 0xCB, 0x0F, 0x18, 0xCA, 0xF2, 0x84, 0xE9, 0xBD, 0xEA, 0x0B, 0x94, 0xB8, 0x3B, 0x8D,
        0x10, 0x86, 0x7E, 0xD7, 0x06, 0xBF, 0xDE, 0xDB, 0xD2, 0x38, 0x1F, 0x4C, 0xB3, 0xB8, 0xF7, 0x30,
    ]

    /// Set A `hex.read_lock_state_nonce`: the fixed nonce of every frame the harness seals.
    /// Reusing it is fine here: no secret is protected, only determinism matters.
    public static let nonce: [UInt8] = [
        0x37, 0x91, 0x7F, 0x1A, 0xF3, 0x1E, 0xC5, 0x94, 0x07, 0x05, 0xF3, 0x4D,
        0x1E, 0x55, 0x50, 0x60, 0x7D, 0x5B, 0x2F, 0x9F, 0xE7, 0xD4, 0x96, 0xB6,
    ]

    /// A fresh ``LockCrypto/SharedKey`` over ``sharedKeyBytes`` (32 bytes, so it cannot fail; nil
    /// would only mean the constant was edited to the wrong size).
    public static func sharedKey() -> SharedKey? {
        try? SharedKey(rawBytes: sharedKeyBytes)
    }
}
