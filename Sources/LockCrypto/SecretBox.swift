internal import CSodium

/// XSalsa20-Poly1305 authenticated encryption with the shared key s (e1 of the spec), libsodium's
/// `crypto_secretbox`.
///
/// Combined layout (`crypto_secretbox_easy`, what the Nuki wire carries after the 30-byte header):
///
/// | size | field |
/// |---|---|
/// | 16 | Poly1305 MAC |
/// | n | XSalsa20 ciphertext of the n-byte message |
///
/// The nonce is 24 bytes and must never repeat under one key. The detached functions work on
/// caller-provided buffers (in place for sealing) so a frame can be built and opened without extra
/// copies; ``EncryptedMessageCodec`` uses them.
/// Source: Nuki BLE API 2.1 §"Encrypted messages", `docs/wire.md` §2.2 and §2.4.
public enum SecretBox {
    /// Size of the key s.
    public static let keyBytes = 32
    /// Size of the XSalsa20 nonce.
    public static let nonceBytes = 24
    /// Size of the Poly1305 tag.
    public static let macBytes = 16

    // MARK: Combined (MAC ‖ ciphertext)

    /// Returns MAC ‖ ciphertext (`message.count + 16` bytes), byte-identical to `crypto_secretbox_easy`.
    /// Throws `invalidNonceLength` unless `nonce` has 24 bytes.
    public static func seal(
        _ message: ArraySlice<UInt8>, nonce: ArraySlice<UInt8>, key: SharedKey
    ) throws(CryptoError) -> [UInt8] {
        guard nonce.count == nonceBytes else { throw badNonce(nonce.count) }
        return [UInt8](unsafeUninitializedCapacity: macBytes + message.count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            let body = UnsafeMutableRawBufferPointer(rebasing: raw[macBytes...])
            message.withUnsafeBytes { body.copyMemory(from: $0) }
            nonce.withUnsafeBytes { n in
                rawSeal(body, mac: UnsafeMutableRawBufferPointer(rebasing: raw[..<macBytes]), nonce: n, key: key)
            }
            initialized = raw.count
        }
    }

    /// Convenience for whole arrays; see ``seal(_:nonce:key:)-(ArraySlice<UInt8>,_,_)``.
    public static func seal(_ message: [UInt8], nonce: [UInt8], key: SharedKey) throws(CryptoError) -> [UInt8] {
        try seal(message[...], nonce: nonce[...], key: key)
    }

    /// Verifies and decrypts MAC ‖ ciphertext (`crypto_secretbox_open_easy`). Nothing is decrypted
    /// unless the MAC verifies. Throws `invalidNonceLength` unless `nonce` has 24 bytes, and
    /// `verificationFailed` when `box` is shorter than the MAC or the MAC does not verify.
    public static func open(
        _ box: ArraySlice<UInt8>, nonce: ArraySlice<UInt8>, key: SharedKey
    ) throws(CryptoError) -> [UInt8] {
        guard nonce.count == nonceBytes else { throw badNonce(nonce.count) }
        guard box.count >= macBytes else {
            throw CryptoError(.verificationFailed, "secretbox of \(box.count) bytes is shorter than its MAC")
        }
        var verified = false
        let message = [UInt8](unsafeUninitializedCapacity: box.count - macBytes) { buffer, initialized in
            let out = UnsafeMutableRawBufferPointer(buffer)
            out.initializeMemory(as: UInt8.self, repeating: 0)
            box.withUnsafeBytes { b in
                nonce.withUnsafeBytes { n in
                    verified = rawOpen(ciphertext: UnsafeRawBufferPointer(rebasing: b[macBytes...]),
                                       mac: UnsafeRawBufferPointer(rebasing: b[..<macBytes]),
                                       nonce: n, key: key, into: out)
                }
            }
            initialized = out.count
        }
        guard verified else { throw macFailure() }
        return message
    }

    /// Convenience for whole arrays; see ``open(_:nonce:key:)-(ArraySlice<UInt8>,_,_)``.
    public static func open(_ box: [UInt8], nonce: [UInt8], key: SharedKey) throws(CryptoError) -> [UInt8] {
        try open(box[...], nonce: nonce[...], key: key)
    }

    // MARK: Detached, caller-provided buffers

    /// Encrypts `buffer` in place and writes its 16-byte Poly1305 tag to `mac`
    /// (`crypto_secretbox_detached` with c == m). Throws `invalidNonceLength` unless `nonce` has 24
    /// bytes and `invalidLength` unless `mac` has 16.
    public static func sealInPlace(
        _ buffer: UnsafeMutableRawBufferPointer,
        mac: UnsafeMutableRawBufferPointer,
        nonce: UnsafeRawBufferPointer,
        key: SharedKey
    ) throws(CryptoError) {
        guard nonce.count == nonceBytes, let n = nonce.baseAddress else { throw badNonce(nonce.count) }
        guard mac.count == macBytes, let tag = mac.baseAddress else { throw badMAC(mac.count) }
        rawSeal(buffer, mac: UnsafeMutableRawBufferPointer(start: tag, count: macBytes),
                nonce: UnsafeRawBufferPointer(start: n, count: nonceBytes), key: key)
    }

    /// Verifies `mac` over `ciphertext` and, only if it verifies, decrypts into `plaintext`
    /// (`crypto_secretbox_open_detached`). `plaintext` must have `ciphertext.count` bytes and may be
    /// the same memory. Throws `invalidNonceLength`, `invalidLength` (MAC not 16 bytes, or output of the
    /// wrong size) and `verificationFailed`; on failure `plaintext` is left untouched.
    public static func open(
        ciphertext: UnsafeRawBufferPointer,
        mac: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer,
        key: SharedKey,
        into plaintext: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        guard nonce.count == nonceBytes, let n = nonce.baseAddress else { throw badNonce(nonce.count) }
        guard mac.count == macBytes, let tag = mac.baseAddress else { throw badMAC(mac.count) }
        guard plaintext.count == ciphertext.count else {
            throw CryptoError(.invalidLength, "plaintext buffer of \(plaintext.count) bytes for \(ciphertext.count) bytes of ciphertext")
        }
        guard rawOpen(ciphertext: ciphertext, mac: UnsafeRawBufferPointer(start: tag, count: macBytes),
                      nonce: UnsafeRawBufferPointer(start: n, count: nonceBytes), key: key, into: plaintext) else {
            throw macFailure()
        }
    }

    // MARK: Unchecked primitives (sizes already validated by the callers above)

    /// `crypto_secretbox_detached` in place. `mac` has 16 bytes and `nonce` 24.
    static func rawSeal(
        _ buffer: UnsafeMutableRawBufferPointer, mac: UnsafeMutableRawBufferPointer,
        nonce: UnsafeRawBufferPointer, key: SharedKey
    ) {
        Sodium.ensureInitialized()
        var scratch: UInt8 = 0
        withUnsafeMutablePointer(to: &scratch) { dummy in
            guard let tag = mac.baseAddress, let n = nonce.baseAddress else { return }
            let m = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? dummy
            key.secret.withUnsafeBytes { k in
                guard let kp = k.baseAddress else { return }
                _ = crypto_secretbox_detached(
                    m, tag.assumingMemoryBound(to: UInt8.self), m, UInt64(buffer.count),
                    n.assumingMemoryBound(to: UInt8.self), kp.assumingMemoryBound(to: UInt8.self))
            }
        }
    }

    /// `crypto_secretbox_open_detached`; true when the MAC verified and `plaintext` was written.
    /// `mac` has 16 bytes, `nonce` 24, and `plaintext` as many as `ciphertext`.
    static func rawOpen(
        ciphertext: UnsafeRawBufferPointer, mac: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer, key: SharedKey, into plaintext: UnsafeMutableRawBufferPointer
    ) -> Bool {
        Sodium.ensureInitialized()
        var scratch: (UInt8, UInt8) = (0, 0)
        let status = withUnsafeMutableBytes(of: &scratch) { dummy -> Int32 in
            guard let d = dummy.baseAddress, let tag = mac.baseAddress, let n = nonce.baseAddress else { return -1 }
            let c = ciphertext.baseAddress ?? UnsafeRawPointer(d)
            let m = plaintext.baseAddress ?? d + 1
            return key.secret.withUnsafeBytes { k -> Int32 in
                guard let kp = k.baseAddress else { return -1 }
                return crypto_secretbox_open_detached(
                    m.assumingMemoryBound(to: UInt8.self), c.assumingMemoryBound(to: UInt8.self),
                    tag.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
                    n.assumingMemoryBound(to: UInt8.self), kp.assumingMemoryBound(to: UInt8.self))
            }
        }
        return status == 0
    }

    private static func macFailure() -> CryptoError {
        CryptoError(.verificationFailed, "secretbox MAC does not verify")
    }

    private static func badNonce(_ count: Int) -> CryptoError {
        CryptoError(.invalidNonceLength, "secretbox nonce has \(count) bytes, 24 needed")
    }

    private static func badMAC(_ count: Int) -> CryptoError {
        CryptoError(.invalidLength, "secretbox MAC has \(count) bytes, 16 needed")
    }
}
