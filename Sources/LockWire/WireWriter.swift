/// Appends little-endian fields to a byte buffer (`docs/wire.md` §2: all multi-byte integers are
/// little-endian). Writing cannot fail; fixed-size fields are padded or truncated by their types.
public struct WireWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    /// u16 little-endian.
    public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }
    /// s16 little-endian.
    public mutating func write(_ value: Int16) { write(UInt16(bitPattern: value)) }
    /// u32 little-endian.
    public mutating func write(_ value: UInt32) {
        for shift in stride(from: UInt32(0), to: 32, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
    /// binary32 little-endian.
    public mutating func write(_ value: Float) { write(value.bitPattern) }
    public mutating func write<S: Sequence>(contentsOf sequence: S) where S.Element == UInt8 {
        bytes.append(contentsOf: sequence)
    }
}
