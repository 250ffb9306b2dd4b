/// The plaintext (PDATA) inside an encrypted message:
///
/// | size | field |
/// |---|---|
/// | 4 | authorization id (u32 LE), equal to the clear one |
/// | 2 | command id (u16 LE) |
/// | n | payload |
/// | 2 | CRC-16/CCITT-FALSE over auth id + command id + payload |
///
/// Source: Nuki BLE API 2.1 §"Encrypted messages", `docs/wire.md` §2.2 and §2.3.
public struct EncryptedPlaintext: Hashable, Sendable {
    public var authID: UInt32
    public var command: Command
    public var payload: [UInt8]

    /// Auth id + command id + CRC.
    public static let overheadBytes = 8

    public init(authID: UInt32, command: Command, payload: [UInt8]) {
        self.authID = authID
        self.command = command
        self.payload = payload
    }

    /// Parses decrypted bytes. Throws, in order: `truncated` below 8 bytes, `lengthOutOfRange` above
    /// ``WireLimits/maxPlaintextBytes``, `badCRC` (0xFD, case P-04), then `notAuthorized` (0x20) when
    /// the inner auth id differs from `expectedAuthID`, the one in the clear header. `checks` leaves
    /// out the CRC or inner auth id check for a deliberately weakened lock only (`docs/attacks.md` P-04,
    /// C-05; `latchkey lock serve --weaken`); every other caller keeps ``Checks/all``.
    public static func decode(_ bytes: ArraySlice<UInt8>, expectedAuthID: UInt32, checks: Checks = .all) throws(WireError) -> EncryptedPlaintext {
        guard bytes.count >= overheadBytes else {
            throw WireError(.truncated, "encrypted plaintext: \(bytes.count) bytes, at least 8 needed")
        }
        guard bytes.count <= WireLimits.maxPlaintextBytes else {
            throw WireError(.lengthOutOfRange, "encrypted plaintext: \(bytes.count) bytes exceeds \(WireLimits.maxPlaintextBytes)")
        }
        let body = bytes.dropLast(2)
        var crcReader = WireReader(bytes.suffix(2), context: "encrypted plaintext")
#if BUGBENCH_PLAINTEXT_CRC_UNCHECKED
        // (bugbench PLAINTEXT_CRC_UNCHECKED: the check after #else is left out)
#else
        guard CRC16.checksum(body) == (try crcReader.readUInt16("CRC")) || !checks.contains(.crc) else {
            throw WireError(.badCRC, "encrypted plaintext: CRC mismatch")
        }
#endif
        var reader = WireReader(body, context: "encrypted plaintext")
        let authID = try reader.readUInt32("authorization id")
#if BUGBENCH_INNER_AUTH_ID_UNCHECKED
        // (bugbench INNER_AUTH_ID_UNCHECKED: the check after #else is left out)
#else
        guard authID == expectedAuthID || !checks.contains(.innerAuthID) else {
            throw WireError(.notAuthorized, "encrypted plaintext: inner auth id \(authID) differs from the header's \(expectedAuthID)")
        }
#endif
        let command = Command(rawValue: try reader.readUInt16("command id"))
        return EncryptedPlaintext(authID: authID, command: command, payload: Array(reader.readRest()))
    }

    public static func decode(_ bytes: [UInt8], expectedAuthID: UInt32) throws(WireError) -> EncryptedPlaintext {
        try decode(bytes[...], expectedAuthID: expectedAuthID)
    }

    /// The plaintext checks after the length: the CRC (0xFD) and the inner auth id (0x20).
    public struct Checks: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// CRC-16/CCITT-FALSE over auth id, command id and payload (`docs/attacks.md` P-04).
        public static let crc = Checks(rawValue: 1)
        /// Inner auth id equal to the clear one (`docs/attacks.md` C-05).
        public static let innerAuthID = Checks(rawValue: 2)
        /// Every check: what a lock must do.
        public static let all: Checks = [.crc, .innerAuthID]
    }

    /// Auth id, command id, payload, CRC.
    public func encoded() -> [UInt8] {
        var w = WireWriter(capacity: payload.count + EncryptedPlaintext.overheadBytes)
        w.write(authID)
        w.write(command.rawValue)
        w.write(contentsOf: payload)
        w.write(CRC16.checksum(w.bytes))
        return w.bytes
    }
}
