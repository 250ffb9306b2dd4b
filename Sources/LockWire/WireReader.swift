/// A bounds-checked little-endian reader over untrusted bytes.
///
/// Every read checks the remaining count first and throws ``WireError`` with code
/// ``WireError/Code/truncated`` instead of trapping. All integers are little-endian, as on the Nuki
/// wire (`docs/wire.md` §2) and the ATT wire (Bluetooth Core Vol 3 Part F §3.2). Call ``finish()``
/// after a fixed layout to reject trailing bytes.
public struct WireReader: Sendable {
    /// The bytes not yet read.
    public private(set) var remaining: ArraySlice<UInt8>
    /// What is being decoded, for error reasons (e.g. "Lock Action").
    public let context: String

    public init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.remaining = bytes
        self.context = context
    }

    public init(_ bytes: [UInt8], context: String) {
        self.init(bytes[...], context: context)
    }

    /// Number of bytes not yet read.
    public var count: Int { remaining.count }
    /// True when every byte has been read.
    public var isAtEnd: Bool { remaining.isEmpty }

    /// Reads `count` bytes. Throws `truncated` if fewer remain, `lengthOutOfRange` if `count` < 0.
    public mutating func readBytes(_ count: Int, _ field: StaticString) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0 else {
            throw WireError(.lengthOutOfRange, "\(context): \(field) has negative length \(count)")
        }
        guard remaining.count >= count else {
            throw WireError(.truncated, "\(context): \(field) needs \(count) bytes, \(remaining.count) left")
        }
        let start = remaining.startIndex
        let end = start + count
        defer { remaining = remaining[end...] }
        return remaining[start..<end]
    }

    /// Reads `count` bytes into a new array.
    public mutating func readArray(_ count: Int, _ field: StaticString) throws(WireError) -> [UInt8] {
        Array(try readBytes(count, field))
    }

    /// Reads everything left.
    public mutating func readRest() -> ArraySlice<UInt8> {
        defer { remaining = remaining[remaining.endIndex...] }
        return remaining
    }

    public mutating func readUInt8(_ field: StaticString) throws(WireError) -> UInt8 {
        guard let byte = remaining.first else {
            throw WireError(.truncated, "\(context): \(field) needs 1 byte, 0 left")
        }
        remaining = remaining.dropFirst()
        return byte
    }

    public mutating func readInt8(_ field: StaticString) throws(WireError) -> Int8 {
        Int8(bitPattern: try readUInt8(field))
    }

    /// u16, little-endian.
    public mutating func readUInt16(_ field: StaticString) throws(WireError) -> UInt16 {
        let b = try readBytes(2, field)
        return UInt16(b[b.startIndex]) | UInt16(b[b.startIndex + 1]) << 8
    }

    /// s16, little-endian two's complement.
    public mutating func readInt16(_ field: StaticString) throws(WireError) -> Int16 {
        Int16(bitPattern: try readUInt16(field))
    }

    /// u32, little-endian.
    public mutating func readUInt32(_ field: StaticString) throws(WireError) -> UInt32 {
        let b = try readBytes(4, field)
        var value: UInt32 = 0
        for (shift, byte) in zip(stride(from: 0, to: 32, by: 8), b) {
            value |= UInt32(byte) << UInt32(shift)
        }
        return value
    }

    /// IEEE 754 binary32, little-endian (Config latitude and longitude, `docs/wire.md` §5.8).
    public mutating func readFloat32(_ field: StaticString) throws(WireError) -> Float {
        Float(bitPattern: try readUInt32(field))
    }

    /// Throws `trailingBytes` unless every byte has been read.
    public func finish() throws(WireError) {
        guard remaining.isEmpty else {
            throw WireError(.trailingBytes, "\(context): \(remaining.count) unexpected trailing bytes")
        }
    }

    /// Converts a wire length to `Int` with `Int(exactly:)` and checks it against `limit`.
    /// Throws `lengthOutOfRange` when it does not fit or exceeds the limit.
    public func checkedLength<T: BinaryInteger>(
        _ value: T, limit: Int, _ field: StaticString
    ) throws(WireError) -> Int {
        guard let length = Int(exactly: value), length >= 0, length <= limit else {
            throw WireError(.lengthOutOfRange, "\(context): \(field) \(value) exceeds the limit \(limit)")
        }
        return length
    }
}
