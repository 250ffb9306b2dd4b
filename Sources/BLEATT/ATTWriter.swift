/// Appends little-endian ATT fields to a byte buffer (internal to `BLEATT`).
///
/// Bluetooth Core 5.4, Vol 3, Part F, §3.3: multi-octet fields are little-endian. Writing cannot fail.
struct ATTWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8]

    init(opcode: ATTOpcode, capacity: Int = 23) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(opcode.rawValue)
    }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    /// u16 little-endian.
    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func write(_ uuid: ATTUUID) { bytes.append(contentsOf: uuid.wireBytes) }

    mutating func write(_ range: ATTHandleRange) {
        write(range.start)
        write(range.end)
    }

    mutating func write<S: Sequence>(contentsOf sequence: S) where S.Element == UInt8 {
        bytes.append(contentsOf: sequence)
    }
}
