/// The clear part of an encrypted message on the keyturner USDIO:
///
/// | offset | size | field | |
/// |---|---|---|---|
/// | 0 | 24 | nonce | ADATA |
/// | 24 | 4 | authorization id (u32 LE) | ADATA |
/// | 28 | 2 | message length = ciphertext length (plaintext + 16) | ADATA |
/// | 30 | L | `crypto_secretbox` output: 16-byte Poly1305 MAC, then the encrypted ``EncryptedPlaintext`` | |
///
/// This type only splits and checks the envelope; `LockCrypto` opens the secretbox.
/// Source: Nuki BLE API 2.1 §"Encrypted messages", `docs/wire.md` §2.2.
public struct EncryptedFrame: Hashable, Sendable {
    /// The 24-byte XSalsa20 nonce.
    public var nonce: [UInt8]
    /// The sender's authorization id, in clear so the receiver can pick the key.
    public var authID: UInt32
    /// MAC followed by ciphertext; its count is the length field.
    public var ciphertext: [UInt8]

    public static let nonceBytes = 24
    /// Nonce + auth id + length.
    public static let headerBytes = 30
    /// Poly1305 tag, first in the secretbox output.
    public static let macBytes = 16
    /// Smallest ciphertext that can hold a plaintext: MAC + auth id (4) + command (2) + CRC (2).
    public static let minCiphertextBytes = macBytes + EncryptedPlaintext.overheadBytes

    public init(nonce: [UInt8], authID: UInt32, ciphertext: [UInt8]) {
        self.nonce = nonce
        self.authID = authID
        self.ciphertext = ciphertext
    }

    /// Splits a whole frame without decrypting anything.
    ///
    /// Throws, in order: `truncated` when shorter than the 30-byte header (security case P-01);
    /// `lengthOutOfRange` when the length field is below ``minCiphertextBytes``, above
    /// ``WireLimits/maxCiphertextBytes``, or differs from the bytes that follow (P-02, P-03).
    /// All answer 0xFE ERROR_BAD_LENGTH. Nothing is allocated from the length field before it is checked.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> EncryptedFrame {
        var reader = WireReader(bytes, context: "encrypted frame")
        guard bytes.count >= headerBytes else {
            throw WireError(.truncated, "encrypted frame: \(bytes.count) bytes, the header alone is \(headerBytes)")
        }
        let nonce = try reader.readArray(nonceBytes, "nonce")
        let authID = try reader.readUInt32("authorization id")
        let lengthField = try reader.readUInt16("message length")
        let length = try reader.checkedLength(lengthField, limit: WireLimits.maxCiphertextBytes, "message length")
        guard length >= minCiphertextBytes else {
            throw WireError(.lengthOutOfRange, "encrypted frame: message length \(length) is below the minimum \(minCiphertextBytes)")
        }
        guard reader.count == length else {
            throw WireError(.lengthOutOfRange, "encrypted frame: message length \(length) but \(reader.count) bytes follow")
        }
        return EncryptedFrame(nonce: nonce, authID: authID, ciphertext: Array(reader.readRest()))
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> EncryptedFrame {
        try decode(bytes[...])
    }

    /// The 30 header bytes (nonce, auth id, length), the associated data of the frame.
    public var header: [UInt8] {
        var w = WireWriter(capacity: EncryptedFrame.headerBytes)
        w.write(contentsOf: nonce)
        w.write(authID)
        w.write(UInt16(truncatingIfNeeded: ciphertext.count))
        return w.bytes
    }

    /// Header then ciphertext. The length field is the ciphertext count, which callers keep within
    /// ``WireLimits/maxCiphertextBytes``.
    public func encoded() -> [UInt8] {
        header + ciphertext
    }
}
