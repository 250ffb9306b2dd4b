/// Exactly 32 bytes: a challenge nonce (nK, nA), an X25519 public key, an HMAC-SHA256 authenticator,
/// or the shared key carried by an invite.
///
/// This is a wire value type and does not wipe itself; `LockCrypto` keeps long-lived secrets in
/// zeroing storage.
/// Source: Nuki BLE API 2.1 §"Pairing" and §"Commands", `docs/wire.md` §3 and §4.
public struct Bytes32: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    public static let byteCount = 32
    /// 32 zero bytes.
    public static let zero = Bytes32(unchecked: [UInt8](repeating: 0, count: 32))

    /// Nil unless `bytes` holds exactly 32 bytes.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == Bytes32.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Upper-case hex.
    public var description: String { Hex.encode(bytes) }
}

extension WireReader {
    public mutating func readBytes32(_ field: StaticString) throws(WireError) -> Bytes32 {
        let slice = try readBytes(Bytes32.byteCount, field)
        return Bytes32(slice) ?? .zero  // the count was checked by readBytes
    }
}

extension WireWriter {
    public mutating func write(_ value: Bytes32) { write(contentsOf: value.bytes) }
}
