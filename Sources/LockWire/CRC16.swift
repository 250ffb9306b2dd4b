/// CRC-16/CCITT-FALSE (also CRC-16/IBM-3740): polynomial 0x1021, initial value 0xFFFF, no reflection,
/// no final XOR; check value 0x29B1 for ASCII "123456789". Appended little-endian to every Nuki message
/// and computed over every byte before it (Nuki BLE API 2.1 §"CRC", `protocol.md` §2.3).
public enum CRC16 {
    /// Byte-at-a-time lookup table for polynomial 0x1021, MSB first.
    @usableFromInline
    static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    /// Initial register value.
    public static let initial: UInt16 = 0xFFFF

    /// Continues a CRC over more bytes, so a frame can be checked without copying its parts together.
    @inlinable
    public static func update<S: Sequence>(_ crc: UInt16, _ bytes: S) -> UInt16 where S.Element == UInt8 {
        var crc = crc
        table.withUnsafeBufferPointer { t in
            for byte in bytes {
                crc = (crc << 8) ^ t[Int((crc >> 8) ^ UInt16(byte))]
            }
        }
        return crc
    }

    /// The CRC of `bytes`.
    @inlinable
    public static func checksum<S: Sequence>(_ bytes: S) -> UInt16 where S.Element == UInt8 {
        update(initial, bytes)
    }
}
