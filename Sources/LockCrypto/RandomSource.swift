import LockWire

/// Where `LockCrypto` and its callers get random bytes: key pairs, challenge nonces (nK, nA), secretbox
/// nonces. Always injected, never global, so tests and fuzzing replay exactly (`docs/architecture.md` §3, "Time
/// and randomness are always injected").
///
/// Conformers are reference types shared between sessions; ``fill(_:)`` must be safe to call
/// concurrently and must never return the same bytes twice (a repeated secretbox nonce under one key
/// breaks XSalsa20-Poly1305). ``SystemRandomSource`` is the production source; ``SeededRandomSource``
/// is deterministic for tests.
public protocol RandomSource: AnyObject, Sendable {
    /// Overwrites every byte of `buffer` with fresh random bytes.
    func fill(_ buffer: UnsafeMutableRawBufferPointer)
}

extension RandomSource {
    /// `count` fresh random bytes (none when `count` ≤ 0).
    public func bytes(count: Int) -> [UInt8] {
        let size = max(0, count)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            fill(raw)
            initialized = size
        }
    }

    /// 32 fresh random bytes, e.g. a challenge nonce nK or the client nonce nA
    /// (Nuki BLE API 2.1 §"Pairing", `docs/wire.md` §3.1).
    public func bytes32() -> Bytes32 {
        Bytes32(bytes(count: Bytes32.byteCount)) ?? .zero  // the count is fixed above
    }

    /// A fresh 24-byte XSalsa20 nonce for an encrypted frame (`docs/wire.md` §2.2).
    public func secretboxNonce() -> [UInt8] {
        bytes(count: SecretBox.nonceBytes)
    }

    /// `count` fresh random bytes written straight into zeroing storage, e.g. a secret key.
    public func secretBytes(count: Int) -> SecretBytes {
        SecretBytes(count: count) { fill($0) }
    }
}
