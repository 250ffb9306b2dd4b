/// A bounds-checked little-endian reader over one untrusted ATT PDU (internal to `BLEATT`).
///
/// Every read checks the remaining count first and throws ``ATTError`` with code
/// ``ATTError/Code/truncated`` instead of trapping. ATT integers are little-endian
/// (Bluetooth Core 5.4, Vol 3, Part F, §3.3). Call ``finish()`` after a fixed layout to reject
/// trailing bytes. The same style as `LockWire.WireReader`, kept separate so `BLEATT` stays standalone.
struct ATTReader {
    /// The bytes not yet read.
    private(set) var remaining: ArraySlice<UInt8>
    /// The PDU being decoded, for error reasons (e.g. "Read Request").
    let context: StaticString

    init(_ bytes: ArraySlice<UInt8>, context: StaticString) {
        self.remaining = bytes
        self.context = context
    }

    /// Number of bytes not yet read.
    var count: Int { remaining.count }

    mutating func readUInt8(_ field: StaticString) throws(ATTError) -> UInt8 {
        guard let byte = remaining.first else {
            throw ATTError(.truncated, "\(context): \(field) needs 1 byte, 0 left")
        }
        remaining = remaining.dropFirst()
        return byte
    }

    /// u16, little-endian.
    mutating func readUInt16(_ field: StaticString) throws(ATTError) -> UInt16 {
        let b = try readBytes(2, field)
        return UInt16(b[b.startIndex]) | UInt16(b[b.startIndex + 1]) << 8
    }

    /// Reads `count` bytes. Throws `truncated` if fewer remain or `count` is negative.
    mutating func readBytes(_ count: Int, _ field: StaticString) throws(ATTError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining.count >= count else {
            throw ATTError(.truncated, "\(context): \(field) needs \(count) bytes, \(remaining.count) left")
        }
        let start = remaining.startIndex
        let end = start + count
        defer { remaining = remaining[end...] }
        return remaining[start..<end]
    }

    /// Reads everything left into a new array (a variable-length value at the end of a PDU).
    mutating func readRest() -> [UInt8] {
        defer { remaining = remaining[remaining.endIndex...] }
        return Array(remaining)
    }

    /// Reads a UUID of `width` bytes (2 or 16), little-endian (Vol 3, Part F, §3.2.1).
    mutating func readUUID(width: Int, _ field: StaticString) throws(ATTError) -> ATTUUID {
        let bytes = try readBytes(width, field)
        guard let uuid = ATTUUID(wireBytes: bytes) else {
            throw ATTError(.invalidPDU, "\(context): \(field) is \(width) bytes, not 2 or 16")
        }
        return uuid
    }

    /// Throws `trailingBytes` unless every byte has been read.
    func finish() throws(ATTError) {
        guard remaining.isEmpty else {
            throw ATTError(.trailingBytes, "\(context): \(remaining.count) unexpected trailing bytes")
        }
    }
}
