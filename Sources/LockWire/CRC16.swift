/// CRC-16/CCITT-FALSE (also CRC-16/IBM-3740): polynomial 0x1021, initial value 0xFFFF, no reflection,
/// no final XOR; check value 0x29B1 for ASCII "123456789". Appended little-endian to every Nuki message
/// and computed over every byte before it (Nuki BLE API 2.1 §"CRC", `docs/wire.md` §2.3).
///
/// Contiguous inputs (arrays, slices, buffer pointers) take a slicing-by-8 path that folds eight bytes
/// per step through eight 256-entry tables; other sequences go byte by byte through the first table.
public enum CRC16 {
    /// Bytes folded per step of the slicing path.
    private static let slices = 8

    /// Slicing-by-8 lookup tables for polynomial 0x1021, MSB first, stored one after another.
    /// Entry `k * 256 + b` is the register after feeding byte `b` followed by `k` zero bytes into a
    /// zero register; table 0 is the classic byte-at-a-time table.
    @usableFromInline
    static let table: [UInt16] = {
        var t = [UInt16](repeating: 0, count: slices * 256)
        for index in 0..<256 {
            var crc = UInt16(index) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
            t[index] = crc
        }
        for k in 1..<slices {
            for index in 0..<256 {
                let previous = t[(k - 1) * 256 + index]
                t[k * 256 + index] = (previous << 8) ^ t[Int(previous >> 8)]
            }
        }
        return t
    }()

    /// Initial register value.
    public static let initial: UInt16 = 0xFFFF

    /// Continues a CRC over more bytes, so a frame can be checked without copying its parts together.
    @inlinable
    public static func update<S: Sequence>(_ crc: UInt16, _ bytes: S) -> UInt16 where S.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ update(crc, contiguous: $0) }) {
            return result
        }
        var crc = crc
        table.withUnsafeBufferPointer { t in
            for byte in bytes {
                crc = (crc << 8) ^ t[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
            }
        }
        return crc
    }

    /// The CRC of `bytes`.
    @inlinable
    public static func checksum<S: Sequence>(_ bytes: S) -> UInt16 where S.Element == UInt8 {
        update(initial, bytes)
    }

    /// The slicing-by-8 path over contiguous memory.
    ///
    /// Eight bytes are read as one little-endian word; the register's high and low bytes are folded
    /// into its first two bytes (the register is 16 bits, so two bytes absorb it), and each byte is
    /// looked up in the table for the number of bytes that follow it in the word. A tail of four to
    /// seven bytes folds four the same way, and the last zero to three go byte by byte.
    @usableFromInline
    static func update(_ crc: UInt16, contiguous bytes: UnsafeBufferPointer<UInt8>) -> UInt16 {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return crc }
        var remaining = bytes.count
        var crc = crc
        table.withUnsafeBufferPointer { tables in
            // The table is never empty, so its base address exists.
            guard let t = tables.baseAddress else { return }
            while remaining >= 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                // Bytes 2–7 do not depend on the register: look them up before it is known.
                let rest = t[5 * 256 + Int((word >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int((word >> 24) & 0xFF)]
                    ^ t[3 * 256 + Int((word >> 32) & 0xFF)]
                    ^ t[2 * 256 + Int((word >> 40) & 0xFF)]
                    ^ t[1 * 256 + Int((word >> 48) & 0xFF)]
                    ^ t[Int(word >> 56)]
                let head = UInt16(truncatingIfNeeded: word) ^ crc.byteSwapped
                crc = t[7 * 256 + Int(head & 0xFF)] ^ t[6 * 256 + Int(head >> 8)] ^ rest
                p += 8
                remaining -= 8
            }
            if remaining >= 4 {
                let word = UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
                let rest = t[1 * 256 + Int((word >> 16) & 0xFF)] ^ t[Int(word >> 24)]
                let head = UInt16(truncatingIfNeeded: word) ^ crc.byteSwapped
                crc = t[3 * 256 + Int(head & 0xFF)] ^ t[2 * 256 + Int(head >> 8)] ^ rest
                p += 4
                remaining -= 4
            }
            while remaining > 0 {
                crc = (crc << 8) ^ t[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ p.pointee)]
                p += 1
                remaining -= 1
            }
        }
        return crc
    }
}
