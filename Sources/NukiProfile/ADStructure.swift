/// One AD structure of advertising or scan response data (Bluetooth Core 5.4, Vol 3, Part C,
/// §11; types from the Core Specification Supplement, Part A):
/// ```
/// length u8 (= 1 + data count) | AD type u8 | data (length − 1 octets)
/// ```
/// A length octet of 0 ends the significant part; the rest is padding.
public struct ADStructure: Hashable, Sendable {
    /// The AD type, e.g. 0x01 Flags, 0x09 Complete Local Name, 0x21 Service Data – 128-bit UUID,
    /// 0xFF Manufacturer Specific Data.
    public var type: UInt8
    /// The data after the type octet.
    public var data: [UInt8]

    /// 0x01 Flags (Supplement Part A §1.3).
    public static let flagsType: UInt8 = 0x01
    /// 0x09 Complete Local Name (Supplement Part A §1.2).
    public static let completeLocalNameType: UInt8 = 0x09
    /// 0x21 Service Data – 128-bit UUID (Supplement Part A §1.11): UUID LE, then the data.
    public static let serviceData128Type: UInt8 = 0x21
    /// 0xFF Manufacturer Specific Data (Supplement Part A §1.4): company id u16 LE, then the data.
    public static let manufacturerSpecificType: UInt8 = 0xFF

    /// An AD structure.
    public init(type: UInt8, data: [UInt8]) {
        self.type = type
        self.data = data
    }

    /// `length | type | data`; `nil` when data is longer than 254 octets.
    public var encoded: [UInt8]? {
        guard let length = UInt8(exactly: data.count + 1) else { return nil }
        return [length, type] + data
    }

    /// Splits advertising or scan response data into AD structures (Part C §11). Stops at a zero
    /// length octet (the rest must be zero padding). Throws
    /// ``AdvertisingDataError`` when a structure overruns the data, or
    /// non-zero bytes follow the terminator.
    public static func parse(_ bytes: [UInt8]) throws(AdvertisingDataError) -> [ADStructure] {
        var structures: [ADStructure] = []
        var index = 0
        while index < bytes.count {
            let length = Int(bytes[index])
            if length == 0 {
                guard bytes[index...].allSatisfy({ $0 == 0 }) else {
                    throw AdvertisingDataError("non-zero octets after the zero-length terminator at \(index)")
                }
                break
            }
            guard index + 1 + length <= bytes.count else {
                throw AdvertisingDataError("AD structure at \(index) claims \(length) octets, \(bytes.count - index - 1) remain")
            }
            structures.append(ADStructure(type: bytes[index + 1], data: Array(bytes[(index + 2)..<(index + 1 + length)])))
            index += 1 + length
        }
        return structures
    }
}
