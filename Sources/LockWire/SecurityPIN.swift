/// The security (admin) PIN appended after the challenge nonce of every PIN-protected command: u16 LE on
/// Smart Lock 1.0–4th gen and Opener, u32 LE (6 digits) on Smart Lock Ultra. Which width a payload
/// carries is decided by the ``WireContext`` it is decoded in.
///
/// Source: Nuki BLE API 2.3.0 §"Security PIN Handling", `docs/wire.md` §3.5.
public enum SecurityPIN: Hashable, Sendable {
    /// Smart Lock 1.0–4th gen: u16, e.g. 1234 = `D2 04`.
    case u16(UInt16)
    /// Smart Lock Ultra: u32, e.g. 123456 = `40 E2 01 00`.
    case u32(UInt32)

    /// The width of the PIN field on the wire.
    public enum Width: Int, Hashable, Sendable, Codable {
        case u16 = 2
        case u32 = 4
    }

    public var width: Width {
        switch self {
        case .u16: return .u16
        case .u32: return .u32
        }
    }

    /// The PIN as a number.
    public var value: UInt32 {
        switch self {
        case .u16(let v): return UInt32(v)
        case .u32(let v): return v
        }
    }

    /// The little-endian wire bytes.
    public var bytes: [UInt8] {
        var w = WireWriter(capacity: 4)
        w.write(self)
        return w.bytes
    }
}

extension WireReader {
    public mutating func readSecurityPIN(_ width: SecurityPIN.Width, _ field: StaticString) throws(WireError) -> SecurityPIN {
        switch width {
        case .u16: return .u16(try readUInt16(field))
        case .u32: return .u32(try readUInt32(field))
        }
    }
}

extension WireWriter {
    public mutating func write(_ value: SecurityPIN) {
        switch value {
        case .u16(let v): write(v)
        case .u32(let v): write(v)
        }
    }
}
