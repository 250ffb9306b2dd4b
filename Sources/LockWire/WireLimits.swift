/// Named bounds on every length that comes from the wire. A length field is converted with
/// `Int(exactly:)` and checked against one of these before anything is sized from it.
///
/// Sources: `docs/wire.md` §1.2 (largest messages: Config 78 + 36 framing bytes, Authorization Entry
/// 75 + 36) and §2.2 (framing); the caps leave headroom for newer firmware's longer payloads.
public enum WireLimits {
    /// Largest payload (bytes after the command id, before the CRC) accepted in any frame.
    /// The biggest documented payload is Authorization Data (Invite) with PIN u32: 122 bytes.
    public static let maxPayloadBytes = 512
    /// Largest plaintext of an encrypted frame: auth id (4) + command (2) + payload + CRC (2).
    public static let maxPlaintextBytes = maxPayloadBytes + 8
    /// Largest ciphertext (MAC + encrypted plaintext) accepted, the value of the length field.
    public static let maxCiphertextBytes = maxPlaintextBytes + EncryptedFrame.macBytes
    /// Largest whole frame of either kind.
    public static let maxFrameBytes = EncryptedFrame.headerBytes + maxCiphertextBytes
    /// Cap on bytes buffered by a ``FragmentReassembler`` for one message.
    public static let maxReassembledBytes = maxFrameBytes
    /// Cap on fragments joined into one message (a byte-by-byte split of the largest frame fits).
    public static let maxFragments = maxFrameBytes
}
