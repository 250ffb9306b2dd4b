internal import CSodium
import LockWire

/// HMAC-SHA256 (RFC 2104 with SHA-256, libsodium `crypto_auth_hmacsha256_*`), h1 of the spec.
///
/// The message is given as parts that are fed in order, so callers never concatenate secrets into a
/// temporary buffer; the hashing state (derived from the key) is wiped after use. Any key length is
/// accepted (RFC 2104 hashes keys longer than 64 bytes); the pairing authenticators use the 32-byte
/// shared key s. The output is 32 bytes.
/// Source: Nuki BLE API 2.1 §"Pairing" (h1), `docs/wire.md` §2.4 and §3.2.
public enum HMACSHA256 {
    /// Size of the authenticator.
    public static let byteCount = 32

    /// HMAC-SHA256(key, parts[0] ‖ parts[1] ‖ …).
    public static func authenticate(key: SecretBytes, parts: [[UInt8]]) -> Bytes32 {
        Sodium.ensureInitialized()
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: byteCount)
        key.withUnsafeBytes { k in
            var empty: UInt8 = 0  // stands in for the pointer of an empty key
            withUnsafePointer(to: &empty) { fallback in
                let kp = k.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? fallback
                _ = crypto_auth_hmacsha256_init(&state, kp, k.count)
            }
        }
        for part in parts {
            part.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return }
                _ = crypto_auth_hmacsha256_update(&state, base, UInt64(p.count))
            }
        }
        out.withUnsafeMutableBufferPointer { o in
            guard let base = o.baseAddress else { return }
            _ = crypto_auth_hmacsha256_final(&state, base)
        }
        withUnsafeMutableBytes(of: &state) { raw in
            if let base = raw.baseAddress { sodium_memzero(base, raw.count) }
        }
        return Bytes32(out) ?? .zero  // exactly 32 bytes were written
    }

    /// HMAC-SHA256(key, parts[0] ‖ parts[1] ‖ …).
    public static func authenticate(key: SecretBytes, _ parts: [UInt8]...) -> Bytes32 {
        authenticate(key: key, parts: parts)
    }

    /// HMAC-SHA256 keyed with a shared key s.
    public static func authenticate(key: SharedKey, parts: [[UInt8]]) -> Bytes32 {
        authenticate(key: key.secret, parts: parts)
    }

    /// True when `authenticator` equals HMAC-SHA256(key, parts…), compared in constant time.
    public static func verify(_ authenticator: Bytes32, key: SecretBytes, parts: [[UInt8]]) -> Bool {
        ConstantTime.equals(authenticate(key: key, parts: parts), authenticator)
    }

    /// True when `authenticator` equals HMAC-SHA256(s, parts…), compared in constant time.
    public static func verify(_ authenticator: Bytes32, key: SharedKey, parts: [[UInt8]]) -> Bool {
        verify(authenticator, key: key.secret, parts: parts)
    }
}
