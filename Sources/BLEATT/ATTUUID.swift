/// An attribute type: a 16-bit or a 128-bit UUID (Bluetooth Core 5.4, Vol 3, Part F, §3.2.1 and
/// Vol 3, Part B, §2.5.1).
///
/// On the ATT wire both forms are little-endian: a 16-bit UUID is 2 octets, a 128-bit UUID is 16
/// octets with the last octet of the canonical text first. A 16-bit UUID `xxxx` stands for the
/// 128-bit UUID `0000xxxx-0000-1000-8000-00805F9B34FB` (the Bluetooth Base UUID, Part B §2.5.1).
///
/// Equality is on the form: `ATTUUID(0x2800)` and its 128-bit expansion are different values that
/// encode differently; use ``isEquivalent(to:)`` to compare meanings.
public struct ATTUUID: Hashable, Sendable, CustomStringConvertible {
    private enum Storage: Hashable, Sendable {
        case short(UInt16)
        /// The 128-bit value as two big-endian halves, in canonical text order.
        case long(high: UInt64, low: UInt64)
    }
    private let storage: Storage

    /// The upper 64 bits of the Bluetooth Base UUID `00000000-0000-1000-8000-00805F9B34FB`.
    public static let baseHigh: UInt64 = 0x0000_0000_0000_1000
    /// The lower 64 bits of the Bluetooth Base UUID.
    public static let baseLow: UInt64 = 0x8000_0080_5F9B_34FB

    /// A 16-bit UUID (2 octets on the wire).
    public init(_ value: UInt16) { storage = .short(value) }

    /// A 128-bit UUID from its value in canonical text order: `high` holds the first 16 hex digits.
    public init(high: UInt64, low: UInt64) { storage = .long(high: high, low: low) }

    /// Decodes 2 or 16 little-endian wire octets; `nil` for any other count.
    public init?(wireBytes: ArraySlice<UInt8>) {
        let start = wireBytes.startIndex
        switch wireBytes.count {
        case 2:
            storage = .short(UInt16(wireBytes[start]) | UInt16(wireBytes[start + 1]) << 8)
        case 16:
            var low: UInt64 = 0
            var high: UInt64 = 0
            for (shift, byte) in zip(stride(from: UInt64(0), to: 64, by: 8), wireBytes[start..<start + 8]) {
                low |= UInt64(byte) << shift
            }
            for (shift, byte) in zip(stride(from: UInt64(0), to: 64, by: 8), wireBytes[(start + 8)...]) {
                high |= UInt64(byte) << shift
            }
            storage = .long(high: high, low: low)
        default:
            return nil
        }
    }

    /// Parses `2800` or `0x2800` (16-bit) or the canonical 36-character form
    /// `a92ee200-5501-11e4-916c-0800200c9a66` (128-bit, either case). `nil` for anything else.
    public init?(string: String) {
        var text = Substring(string)
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text = text.dropFirst(2) }
        let utf8 = Array(text.utf8)
        if utf8.count == 4 {
            guard let value = Self.hexValue(utf8[...]), let short = UInt16(exactly: value) else { return nil }
            storage = .short(short)
            return
        }
        guard string.utf8.count == 36, utf8.count == 36 else { return nil }
        let dashes = [8, 13, 18, 23]
        guard dashes.allSatisfy({ utf8[$0] == UInt8(ascii: "-") }) else { return nil }
        let digits = utf8.enumerated().filter { !dashes.contains($0.offset) }.map(\.element)
        guard digits.count == 32,
            let high = Self.hexValue(digits[0..<16]),
            let low = Self.hexValue(digits[16..<32])
        else { return nil }
        storage = .long(high: high, low: low)
    }

    /// True for the 2-octet form.
    public var is16Bit: Bool {
        if case .short = storage { return true }
        return false
    }

    /// 2 or 16.
    public var wireLength: Int { is16Bit ? 2 : 16 }

    /// The little-endian wire octets (2 or 16).
    public var wireBytes: [UInt8] {
        switch storage {
        case .short(let value):
            return [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        case .long(let high, let low):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16)
            for shift in stride(from: UInt64(0), to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: low >> shift)) }
            for shift in stride(from: UInt64(0), to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: high >> shift)) }
            return bytes
        }
    }

    /// The 128-bit form: a 16-bit UUID expanded over the Bluetooth Base UUID, a 128-bit one unchanged.
    public var expanded: ATTUUID {
        switch storage {
        case .short(let value): return ATTUUID(high: Self.baseHigh | UInt64(value) << 32, low: Self.baseLow)
        case .long: return self
        }
    }

    /// The 16-bit alias: the value of a 16-bit UUID, or of a 128-bit UUID of the form
    /// `0000xxxx-0000-1000-8000-00805F9B34FB`; `nil` otherwise.
    public var uuid16: UInt16? {
        switch storage {
        case .short(let value): return value
        case .long(let high, let low):
            guard low == Self.baseLow, high & 0xFFFF_0000_FFFF_FFFF == Self.baseHigh else { return nil }
            return UInt16(truncatingIfNeeded: high >> 32)
        }
    }

    /// True when both name the same 128-bit UUID (comparing Base UUID expansions).
    public func isEquivalent(to other: ATTUUID) -> Bool { expanded == other.expanded }

    /// `2800` for 16-bit, canonical upper-case `0000XXXX-0000-1000-8000-00805F9B34FB` for 128-bit.
    public var description: String {
        switch storage {
        case .short(let value):
            return Self.hex(UInt64(value), digits: 4)
        case .long(let high, let low):
            let h = Self.hex(high, digits: 16)
            let l = Self.hex(low, digits: 16)
            return "\(h.prefix(8))-\(h.dropFirst(8).prefix(4))-\(h.suffix(4))-\(l.prefix(4))-\(l.suffix(12))"
        }
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Up to 16 ASCII hex digits to a value; `nil` on a non-hex byte or more than 16 digits.
    private static func hexValue(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard digits.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }
}
