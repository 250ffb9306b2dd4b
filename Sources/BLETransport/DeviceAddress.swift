/// A Bluetooth device address, 6 octets, written `AA:BB:CC:DD:EE:FF` most significant octet first
/// (Bluetooth Core 5.4, Vol 6, Part B, §1.3; on the HCI wire the octets travel reversed).
public struct DeviceAddress: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The six octets, most significant first (text order).
    public let octets: [UInt8]

    /// An address from exactly six octets in text order; `nil` for any other count.
    /// The socket-link address of the emulated lock with `nukiID`: Nuki's OUI 54:D2:72 and the low
    /// three octets of the Nuki ID (as `LockServer` publishes it).
    public static func nuki(_ nukiID: UInt32) -> DeviceAddress? {
        DeviceAddress(octets: [0x54, 0xD2, 0x72, UInt8(truncatingIfNeeded: nukiID >> 16), UInt8(truncatingIfNeeded: nukiID >> 8), UInt8(truncatingIfNeeded: nukiID)])
    }

    public init?(octets: [UInt8]) {
        guard octets.count == 6 else { return nil }
        self.octets = octets
    }

    /// Parses `AA:BB:CC:DD:EE:FF` (either case); `nil` for anything else.
    public init?(string: String) {
        let parts = string.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard part.utf8.count == 2, let value = UInt8(part, radix: 16) else { return nil }
            octets.append(value)
        }
        self.octets = octets
    }

    /// `AA:BB:CC:DD:EE:FF`, upper case.
    public var description: String {
        octets.map { ($0 < 0x10 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: ":")
    }

    /// `AABBCCDDEEFF`: the discovery record's file stem.
    public var fileStem: String { description.split(separator: ":").joined() }

    /// Orders by octets.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.octets.lexicographicallyPrecedes(rhs.octets) }

    /// Encodes as the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes the text form, rejecting anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = DeviceAddress(string: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a device address: \(text)")
        }
        self = address
    }
}
