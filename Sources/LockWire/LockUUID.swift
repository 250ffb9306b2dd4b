/// The lock's 16-byte UUID, sent in Authorization-ID (0x0007): random, constant until factory reset.
///
/// Source: Nuki BLE API 2.1 §"Authorization-ID", `docs/wire.md` §3.1 step 10.
public struct LockUUID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    public static let byteCount = 16
    /// Sixteen zero bytes.
    public static let zero = LockUUID(unchecked: [UInt8](repeating: 0, count: 16))

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Nil unless `bytes` holds exactly 16 bytes.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == LockUUID.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    public var description: String { Hex.encode(bytes) }
}

extension WireReader {
    public mutating func readLockUUID(_ field: StaticString) throws(WireError) -> LockUUID {
        guard let uuid = LockUUID(try readBytes(LockUUID.byteCount, field)) else {
            throw WireError(.truncated, "\(context): \(field) needs 16 bytes")
        }
        return uuid
    }
}

extension WireWriter {
    public mutating func write(_ value: LockUUID) { write(contentsOf: value.bytes) }
}
